import { parseArgs } from "node:util";
import {
  adminListingMaximumLimit,
  createAccountRequestSchema,
  createKeyRequestSchema,
  keyHashSchema,
  ledgerReasonSchema,
  parseSignedUsdToMicros,
  parseUsdToMicros,
  SwitchboardError,
  type AdminCaller,
} from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import type { Kysely } from "kysely";
import { adjustCreditsReply } from "../handlers/adjust-credits.js";
import { createAccountReply } from "../handlers/create-account.js";
import { createKeyReply } from "../handlers/create-key.js";
import { deleteKeyReply } from "../handlers/delete-key.js";
import { getAccountReply } from "../handlers/get-account.js";
import { getAccountStatementReply } from "../handlers/get-account-statement.js";
import { keyNotFound } from "../handlers/key-not-found.js";
import { grantCreditsReply } from "../handlers/grant-credits.js";
import { listAccountsReply } from "../handlers/list-accounts.js";
import { listAdminAuditReply } from "../handlers/list-admin-audit.js";
import { listSettlementAnomaliesReply } from "../handlers/list-settlement-anomalies.js";
import { reconcileLedgerReply } from "../handlers/reconcile-ledger.js";
import { setAccountDataPolicyReply } from "../handlers/set-account-data-policy.js";
import { setKeyDisabledReply } from "../handlers/set-key-disabled.js";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import { cliCaller } from "./cli-caller.js";
import type { DeadLetterLister } from "./dead-letter-lister.js";

/** Where the CLI writes: JSON results to `stdout`, problems and what to do about them to `stderr`. */
export interface AdminCommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface AdminCommandDependencies {
  database: Kysely<Database>;
  /** Announces every key a command changed, so running ingresses stop serving its old data at once. */
  keyChangePublisher: KeyChangePublisher;
  output: AdminCommandOutput;
  /** Who runs the command, for the audit record of every change; `cliCaller()` (`cli:<os user>`) by default. */
  caller?: AdminCaller;
  /** Reads the dead-letter stream on NATS, for `list-dead-letters`; without it that command fails and says so. */
  deadLetters?: DeadLetterLister;
}

/** A problem with how the command was invoked, reported with the command's usage. */
class AdminUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AdminUsageError";
  }
}

/** A command that could not do its work, with a message that says what to check. */
class AdminCommandFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AdminCommandFailure";
  }
}

interface AdminCommand {
  usage: string;
  summary: string;
  options: Record<string, { type: "string" }>;
  run(values: Record<string, string | undefined>, dependencies: AdminCommandDependencies & { caller: AdminCaller }): Promise<unknown>;
  /** For a command that reports a problem it found (reconcile): what to say on stderr, with exit code 1. */
  problemIn?(result: unknown): string | undefined;
}

const nameRule = "--name must be 1 to 200 characters, without control characters";

const commands: Record<string, AdminCommand> = {
  "create-account": {
    usage: "create-account --name <name>",
    summary: "Open an account with a zero balance.",
    options: { name: { type: "string" } },
    run: async (values, { database, caller }) => {
      const name = createAccountRequestSchema.shape.name.safeParse(required(values, "name"));
      if (!name.success) throw new AdminUsageError(nameRule);
      return createAccountReply(database, { name: name.data, caller });
    },
  },
  "grant-credits": {
    usage: "grant-credits --account <id> --amount-usd <amount> [--reason <text>]",
    summary: "Add credit to an account, e.g. --amount-usd 10.50 (at most 6 decimal places); the reason is kept on the ledger transaction.",
    options: { account: { type: "string" }, "amount-usd": { type: "string" }, reason: { type: "string" } },
    run: async (values, { database, caller }) => {
      const accountId = required(values, "account");
      const amountMicros = parseAmount(required(values, "amount-usd"));
      const reason = values["reason"] === undefined ? {} : { reason: parseReason(values["reason"]) };
      return grantCreditsReply(database, { accountId, amountMicros, ...reason, caller });
    },
  },
  "adjust-credits": {
    usage: "adjust-credits --account <id> --amount-usd=<signed amount> --reason <text>",
    summary: "Correct an account's credit up or down with a reason (a ledger transaction, never a balance edit), e.g. --amount-usd=-2.50; never below what running generations hold.",
    options: { account: { type: "string" }, "amount-usd": { type: "string" }, reason: { type: "string" } },
    run: async (values, { database, caller }) => {
      const accountId = required(values, "account");
      const amountMicros = parseSignedAmount(required(values, "amount-usd"));
      const reason = parseReason(required(values, "reason"));
      return adjustCreditsReply(database, { accountId, amountMicros, reason, caller });
    },
  },
  "list-accounts": {
    usage: "list-accounts [--limit <n>] [--cursor <account id>]",
    summary: "List accounts, oldest first, with balance, reserved and leased credit; pass the printed next_cursor as --cursor for the next page.",
    options: { limit: { type: "string" }, cursor: { type: "string" } },
    run: (values, { database }) => {
      const cursor = values["cursor"]?.trim();
      return listAccountsReply(database, { limit: parseLimit(values["limit"]), ...(cursor ? { cursor } : {}) });
    },
  },
  statement: {
    usage: "statement --account <id> [--limit <n>] [--before <entry id>]",
    summary: "Show an account's ledger entries, newest first, with running balance, kind, reason and generation id; pass the printed next_before as --before for older ones.",
    options: { account: { type: "string" }, limit: { type: "string" }, before: { type: "string" } },
    run: (values, { database }) => {
      const before = values["before"] === undefined ? {} : { before: parseEntryId(values["before"]) };
      return getAccountStatementReply(database, { accountId: required(values, "account"), limit: parseLimit(values["limit"]), ...before });
    },
  },
  reconcile: {
    usage: "reconcile",
    summary: "Check that every account's balance equals the sum of its ledger entries and that every ledger transaction sums to zero; exits 1 and lists the drift when not.",
    options: {},
    run: (_values, { database }) => reconcileLedgerReply(database),
    problemIn: (result) => {
      const reconciliation = (result as Awaited<ReturnType<typeof reconcileLedgerReply>>).data;
      if (reconciliation.balanced) return undefined;
      return `The ledger does not reconcile: ${reconciliation.account_drifts.length} account(s) whose balance differs from their entries, ${reconciliation.unbalanced_transactions.length} unbalanced transaction(s), ${reconciliation.lease_drifts.length} credit lease(s) whose consumption total differs from their generations', ledger total ${reconciliation.ledger_total_micros} µ$ (see the JSON above). Investigate before changing anything: the ledger is the record, a balance is a cache of it.`;
    },
  },
  "create-key": {
    usage: "create-key --account <id> --name <name>",
    summary: "Create an API key; its secret is printed once and stored nowhere.",
    options: { account: { type: "string" }, name: { type: "string" } },
    run: async (values, { database, keyChangePublisher, caller }) => {
      const name = createKeyRequestSchema.shape.name.safeParse(required(values, "name"));
      if (!name.success) throw new AdminUsageError(nameRule);
      // Like the other commands, an id that names no account is "not found", whatever it looks like.
      return createKeyReply(database, { accountId: required(values, "account"), name: name.data, caller }, keyChangePublisher);
    },
  },
  "create-management-key": {
    usage: "create-management-key --account <id> --name <name>",
    summary: "Create a management key: it manages the account's keys (/api/v1/keys) and cannot call models; its secret is printed once.",
    options: { account: { type: "string" }, name: { type: "string" } },
    run: async (values, { database, keyChangePublisher, caller }) => {
      const name = createKeyRequestSchema.shape.name.safeParse(required(values, "name"));
      if (!name.success) throw new AdminUsageError(nameRule);
      return createKeyReply(database, { accountId: required(values, "account"), name: name.data, management: true, caller }, keyChangePublisher);
    },
  },
  "disable-key": {
    usage: "disable-key --hash <hash>",
    summary: "Disable an API key (by the `hash` shown at creation); running ingresses refuse it at once.",
    options: { hash: { type: "string" } },
    run: (values, dependencies) => setKeyDisabledReply(dependencies, { keyHash: required(values, "hash"), disabled: true, caller: dependencies.caller }),
  },
  "enable-key": {
    usage: "enable-key --hash <hash>",
    summary: "Enable a disabled API key again.",
    options: { hash: { type: "string" } },
    run: (values, dependencies) => setKeyDisabledReply(dependencies, { keyHash: required(values, "hash"), disabled: false, caller: dependencies.caller }),
  },
  "delete-key": {
    usage: "delete-key --hash <hash>",
    summary: "Delete an API key for good (its usage history stays); running ingresses refuse it at once.",
    options: { hash: { type: "string" } },
    run: (values, dependencies) => {
      const keyHash = required(values, "hash");
      // A malformed hash can name no key: "not found", like disable-key, and never a query.
      if (!keyHashSchema.safeParse(keyHash).success) throw keyNotFound(keyHash);
      return deleteKeyReply(dependencies, { keyHash, caller: dependencies.caller });
    },
  },
  "set-account-policy": {
    usage: "set-account-policy --account <id> [--data-collection allow|deny] [--zdr true|false]",
    summary: "Set the data policy every request of the account must honour (a request can only tighten it); running ingresses apply it at once.",
    options: { account: { type: "string" }, "data-collection": { type: "string" }, zdr: { type: "string" } },
    run: (values, dependencies) => {
      const dataCollection = values["data-collection"];
      if (dataCollection !== undefined && dataCollection !== "allow" && dataCollection !== "deny") throw new AdminUsageError("--data-collection must be allow or deny");
      const zdr = values["zdr"];
      if (zdr !== undefined && zdr !== "true" && zdr !== "false") throw new AdminUsageError("--zdr must be true or false");
      if (dataCollection === undefined && zdr === undefined) throw new AdminUsageError("give --data-collection, --zdr, or both");
      return setAccountDataPolicyReply(dependencies, {
        accountId: required(values, "account"),
        ...(dataCollection !== undefined ? { data_collection: dataCollection } : {}),
        ...(zdr !== undefined ? { zdr: zdr === "true" } : {}),
        caller: dependencies.caller,
      });
    },
  },
  "show-account": {
    usage: "show-account --account <id>",
    summary: "Show an account's balance, reserved and available credit, and its data policy.",
    options: { account: { type: "string" } },
    run: (values, { database }) => getAccountReply(database, { accountId: required(values, "account") }),
  },
  "list-audit": {
    usage: "list-audit [--limit <n>]",
    summary: `Show the newest audited admin operations, newest first (default 50, at most ${adminListingMaximumLimit}).`,
    options: { limit: { type: "string" } },
    run: (values, { database }) => listAdminAuditReply(database, { limit: parseLimit(values["limit"]) }),
  },
  "list-anomalies": {
    usage: "list-anomalies [--limit <n>]",
    summary: "Show the newest settlement anomalies (facts billing held nothing for and did not charge), newest first.",
    options: { limit: { type: "string" } },
    run: (values, { database }) => listSettlementAnomaliesReply(database, { limit: parseLimit(values["limit"]) }),
  },
  "list-dead-letters": {
    usage: "list-dead-letters [--limit <n>]",
    summary: "Show the newest facts a consumer could not process and kept in the dead-letter stream (reads NATS), newest first.",
    options: { limit: { type: "string" } },
    run: async (values, { deadLetters }) => {
      const limit = parseLimit(values["limit"]);
      if (!deadLetters) throw new AdminCommandFailure("list-dead-letters needs NATS, and this CLI was started without it.");
      try {
        return { data: await deadLetters.list(limit) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new AdminCommandFailure(
          `Could not read the dead-letter stream on NATS (${message}). Check that NATS is running and that NATS_URL, SWITCHBOARD_NATS_NAMESPACE and NATS_NKEY_SEED_FILE (the admin identity) are those the services use.`,
          { cause: error },
        );
      }
    },
  },
};

const helpText = [
  "Switchboard billing admin. Talks to PostgreSQL directly (DATABASE_URL); commands that change a key",
  "also announce it on NATS (NATS_URL, SWITCHBOARD_NATS_NAMESPACE) so running ingresses apply it at once,",
  "and list-dead-letters reads the dead-letter stream there.",
  "",
  "Usage: npm run admin -- <command> [options]",
  "",
  "Commands:",
  ...Object.values(commands).flatMap((command) => [`  ${command.usage}`, `      ${command.summary}`]),
  "  help",
  "      Show this text.",
  "",
  "Results are printed as JSON. Example:",
  '  npm run admin -- create-account --name "Acme"',
].join("\n");

/**
 * Runs one admin command (`argv` without the node and script paths) and returns the process exit code:
 * 0 with the JSON result on stdout, or 1 with a message saying what went wrong and what to do next.
 */
export async function runAdminCommand(argv: readonly string[], dependencies: AdminCommandDependencies): Promise<number> {
  const { output } = dependencies;
  const [name, ...rest] = argv;
  if (name === undefined) {
    output.stderr(`No command given.\n\n${helpText}\n`);
    return 1;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    output.stdout(`${helpText}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    output.stderr(`Unknown command "${name}". Run \`npm run admin -- help\` to list the commands.\n`);
    return 1;
  }
  try {
    const { values } = parseArgs({ args: [...rest], options: command.options, strict: true, allowPositionals: false });
    const result = await command.run(values as Record<string, string | undefined>, { ...dependencies, caller: dependencies.caller ?? cliCaller() });
    output.stdout(`${JSON.stringify(result, null, 2)}\n`);
    const problem = command.problemIn?.(result);
    if (problem !== undefined) {
      output.stderr(`${problem}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    output.stderr(`${describeFailure(error, command)}\n`);
    return 1;
  }
}

function required(values: Record<string, string | undefined>, option: string): string {
  const value = values[option];
  if (value === undefined || value.trim() === "") throw new AdminUsageError(`Missing --${option}`);
  return value.trim();
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 50;
  const limit = Number(value.trim());
  if (!Number.isInteger(limit) || limit < 1 || limit > adminListingMaximumLimit) {
    throw new AdminUsageError(`--limit must be a whole number from 1 to ${adminListingMaximumLimit}`);
  }
  return limit;
}

function parseAmount(value: string): number {
  let micros: number;
  try {
    micros = parseUsdToMicros(value);
  } catch (error) {
    throw new AdminUsageError(`--amount-usd: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (micros <= 0) throw new AdminUsageError("--amount-usd must be greater than 0");
  return micros;
}

function parseSignedAmount(value: string): number {
  let micros: number;
  try {
    micros = parseSignedUsdToMicros(value);
  } catch (error) {
    throw new AdminUsageError(`--amount-usd: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (micros === 0) throw new AdminUsageError("--amount-usd must not be zero");
  return micros;
}

function parseReason(value: string): string {
  const reason = ledgerReasonSchema.safeParse(value);
  if (!reason.success) throw new AdminUsageError("--reason must be 1 to 500 characters, without control characters");
  return reason.data;
}

function parseEntryId(value: string): number {
  const id = Number(value.trim());
  if (!Number.isSafeInteger(id) || id < 1) throw new AdminUsageError("--before must be a ledger entry id (a positive whole number)");
  return id;
}

function describeFailure(error: unknown, command: AdminCommand): string {
  if (error instanceof AdminUsageError || isParseArgsError(error)) {
    return `${(error as Error).message}.\nUsage: npm run admin -- ${command.usage}`;
  }
  if (error instanceof SwitchboardError || error instanceof AdminCommandFailure) return error.message;
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const message = error instanceof Error ? error.message : String(error);
  if (code === "42P01") {
    return `The database has no billing tables yet (${message}). Run \`npm run migrate\` with the same DATABASE_URL first.`;
  }
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "3D000" || code === "28P01" || /connect|timeout/i.test(message)) {
    return `Could not reach PostgreSQL (${message}). Check that it is running and that DATABASE_URL points to it.`;
  }
  return `The command failed: ${message}`;
}

function isParseArgsError(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    typeof error.code === "string" &&
    error.code.startsWith("ERR_PARSE_ARGS_")
  );
}
