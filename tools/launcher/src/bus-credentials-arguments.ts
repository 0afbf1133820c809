import { parseArgs } from "node:util";

/** What `npm run bus-credentials -- …` was asked to do. */
export interface BusCredentialsArguments {
  directory: string;
  namespace: string;
  kubernetes: boolean;
}

export const busCredentialsUsage = [
  "Usage: npm run bus-credentials -- --directory <dir> [--namespace sb] [--kubernetes]",
  "",
  "Writes the nats-server configuration with one nkey user per bus identity (nats-server.conf) and each",
  "identity's seed (<identity>.nk, mode 0600) into <dir>. Seeds already there are kept: run it again after",
  "an upgrade to bring the configuration up to date. With --kubernetes it also writes Secret manifests to",
  "<dir>/kubernetes/. --namespace is the subject namespace (SWITCHBOARD_NATS_NAMESPACE, default sb).",
].join("\n");

/** A command line that cannot be used; the message says why and shows the usage. */
export class BusCredentialsUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${busCredentialsUsage}`);
    this.name = "BusCredentialsUsageError";
  }
}

/** Parses the command's arguments; `undefined` means help was asked for. */
export function parseBusCredentialsArguments(argv: readonly string[]): BusCredentialsArguments | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        directory: { type: "string" },
        namespace: { type: "string", default: "sb" },
        kubernetes: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new BusCredentialsUsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) return undefined;
  if (values.directory === undefined || values.directory.trim() === "") throw new BusCredentialsUsageError("--directory is required.");
  if (!/^[A-Za-z0-9_-]+$/.test(values.namespace)) throw new BusCredentialsUsageError(`--namespace "${values.namespace}" may only contain letters, digits, "_" and "-".`);
  return { directory: values.directory, namespace: values.namespace, kubernetes: values.kubernetes };
}
