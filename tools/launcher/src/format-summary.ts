import { formatSeconds } from "./progress-console.js";

export const demoModel = "switchboard/echo";
export const samplePrompt = "Hello, Switchboard!";

/** A copy-pasteable curl for one chat completion (POSIX shell quoting). */
export function formatCurl(options: { apiBaseUrl: string; apiKey: string; model: string }): string {
  const body = JSON.stringify({ model: options.model, messages: [{ role: "user", content: samplePrompt }] });
  return [
    `curl ${options.apiBaseUrl}/chat/completions \\`,
    `  -H ${shellQuote(`Authorization: Bearer ${options.apiKey}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(body)}`,
  ].join("\n");
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** How the services reach NATS: the launcher's own locked-down server, or the user's (NATS_URL). */
export type BusSummary =
  | { kind: "own-server"; identityDirectory: string }
  | { kind: "user-server"; url: string; credentialsSet: boolean };

export interface ReadySummary {
  apiBaseUrl: string;
  apiKey: string;
  keyCreated: boolean;
  demoAccountFile: string;
  adminKey: string;
  adminKeyGenerated: boolean;
  model: string | undefined;
  logDirectory: string;
  bus: BusSummary;
  elapsedMs: number;
}

function describeBus(bus: BusSummary): string[] {
  if (bus.kind === "own-server") {
    return [`  NATS bus      authenticated: each service connects as its own nkey identity`, `                (seeds in ${bus.identityDirectory}/, mode 0600)`];
  }
  const credentials = bus.credentialsSet
    ? "with the NATS_* credentials you set"
    : "without credentials: the services log that the bus is unauthenticated";
  return [`  NATS bus      ${bus.url} (NATS_URL)`, `                (${credentials})`];
}

/** What the launcher prints once everything answers. */
export function formatReadySummary(summary: ReadySummary): string {
  const keyNote = summary.keyCreated
    ? `demo account "demo" with $10 of credits; the API shows a key only once, so it is saved in ${summary.demoAccountFile} with mode 0600`
    : `demo account "demo", kept in ${summary.demoAccountFile}`;
  const adminNote = summary.adminKeyGenerated ? "generated for this launch; set SWITCHBOARD_ADMIN_KEY to keep one" : "from SWITCHBOARD_ADMIN_KEY";
  const lines = [
    "",
    `Switchboard is ready (${formatSeconds(summary.elapsedMs)}).`,
    "",
    `  API base URL  ${summary.apiBaseUrl}`,
    `  API key       ${summary.apiKey}`,
    `                (${keyNote})`,
    `  Admin key     ${summary.adminKey}`,
    `                (${adminNote})`,
    ...describeBus(summary.bus),
    `  Logs          ${summary.logDirectory}/<service>.log`,
    "",
  ];
  if (summary.model === undefined) {
    lines.push("The catalog lists no model yet, so there is nothing to try.", "");
  } else {
    lines.push("Try it:", "", ...formatCurl({ apiBaseUrl: summary.apiBaseUrl, apiKey: summary.apiKey, model: summary.model }).split("\n").map((line) => `  ${line}`), "");
  }
  lines.push("Press Ctrl-C to stop.");
  return lines.join("\n");
}
