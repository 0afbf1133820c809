import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { allBusIdentities } from "@switchboard/messaging";
import { parseBusCredentialsArguments, busCredentialsUsage } from "./bus-credentials-arguments.js";
import { busConfigFileName, ensureBusCredentials, seedFileName } from "./bus-credentials.js";
import { renderKubernetesSecrets } from "./kubernetes-secrets.js";

// `npm run bus-credentials -- --directory <dir> [--namespace sb] [--kubernetes]`: the bus identities and
// nats-server configuration for docker compose and Kubernetes (README, "Bus security"). Wiring only.

const repositoryRoot = path.resolve(fileURLToPath(new URL("../../../", import.meta.url)));

/** The uid of the `node` user the service images run as (deploy/docker/Dockerfile). */
const imageUserId = 1000;

async function main(): Promise<void> {
  const options = parseBusCredentialsArguments(process.argv.slice(2));
  if (options === undefined) {
    console.log(busCredentialsUsage);
    return;
  }
  // npm runs scripts from the repository root; a relative --directory means where the user typed it.
  const invocationDirectory = process.env["INIT_CWD"] ?? process.cwd();
  const directory = path.resolve(invocationDirectory, options.directory);
  const credentials = await ensureBusCredentials({ directory, namespace: options.namespace });
  const relative = path.relative(invocationDirectory, directory);
  const shown = relative.startsWith("..") || path.isAbsolute(relative) ? directory : relative || ".";

  const kept = allBusIdentities.filter((identity) => !credentials.created.includes(identity));
  const lines = [`Bus credentials for namespace "${options.namespace}" in ${shown}/`];
  if (credentials.created.length > 0) lines.push(`  created  ${credentials.created.map(seedFileName).join(", ")} (mode 0600)`);
  if (kept.length > 0) lines.push(`  kept     ${kept.map(seedFileName).join(", ")}`);
  lines.push(`  wrote    ${busConfigFileName} (public keys and permissions only)`);

  if (options.kubernetes) {
    const kubernetesDirectory = path.join(directory, "kubernetes");
    await mkdir(kubernetesDirectory, { recursive: true, mode: 0o700 });
    const manifests = renderKubernetesSecrets({ seeds: credentials.seeds, config: credentials.config });
    for (const manifest of manifests) {
      const file = path.join(kubernetesDirectory, manifest.fileName);
      // They hold the seeds, like the .nk files.
      await writeFile(file, manifest.text, { mode: 0o600 });
      await chmod(file, 0o600);
    }
    lines.push(`  wrote    kubernetes/ (${manifests.length} Secrets): kubectl apply -n <namespace> -f ${path.join(shown, "kubernetes")}/`);
  }

  // docker-compose.yml resolves the path from the repository root, where it lives.
  const fromCompose = path.relative(repositoryRoot, directory);
  const composePath = fromCompose.startsWith("..") || path.isAbsolute(fromCompose) ? directory : `./${fromCompose}`;
  lines.push("", "For docker compose, put this in .env (or the shell) before `docker compose up`:", `  SWITCHBOARD_BUS_CREDENTIALS=${composePath}`);
  const userId = process.getuid?.();
  if (userId !== undefined && userId !== imageUserId) {
    // A compose secret is a bind mount: the seed keeps this owner and mode 0600, so only this uid reads it.
    lines.push(`  SWITCHBOARD_UID=${userId}`, `(the seeds belong to uid ${userId} with mode 0600: the services must run as that uid to read them)`);
  }
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
