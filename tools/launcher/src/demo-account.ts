import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import type { SwitchboardApi } from "./switchboard-api.js";

/** `.switchboard/demo.json`: the demo account and its key, which the API shows only once. */
export interface DemoAccountRecord {
  account_id: string;
  key: string;
  key_hash?: string;
  /** Which database the account lives in; another database means a new account. */
  database: string;
  created_at: string;
}

export const demoAccountName = "demo";
export const demoCreditsUsd = "10.00";

/** Identifies a database without its password: `embedded:<data dir>` or the URL minus credentials. */
export function databaseIdentity(databaseUrl: string, embeddedDataDirectory: string | undefined): string {
  if (embeddedDataDirectory !== undefined) return `embedded:${embeddedDataDirectory}`;
  try {
    const url = new URL(databaseUrl);
    url.password = "";
    return url.toString();
  } catch {
    return databaseUrl;
  }
}

export function parseDemoAccountRecord(text: string): DemoAccountRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<DemoAccountRecord> | null;
    if (typeof value?.account_id !== "string" || typeof value.key !== "string" || typeof value.database !== "string") return undefined;
    return {
      account_id: value.account_id,
      key: value.key,
      ...(typeof value.key_hash === "string" ? { key_hash: value.key_hash } : {}),
      database: value.database,
      created_at: typeof value.created_at === "string" ? value.created_at : "",
    };
  } catch {
    return undefined;
  }
}

export interface EnsureDemoAccountOptions {
  api: SwitchboardApi;
  file: string;
  database: string;
  now?: () => Date;
}

export interface DemoAccount {
  record: DemoAccountRecord;
  created: boolean;
}

/**
 * Reuses the demo account of an earlier launch when it still exists in the same database and its key is
 * not rejected; otherwise creates one with $10 of credits and a key, and stores it with mode 0600 (it
 * holds a secret).
 */
export async function ensureDemoAccount(options: EnsureDemoAccountOptions): Promise<DemoAccount> {
  const stored = parseDemoAccountRecord(await readFile(options.file, "utf8").catch(() => ""));
  if (
    stored !== undefined &&
    stored.database === options.database &&
    (await options.api.accountExists(stored.account_id)) !== false &&
    (await options.api.checkKey(stored.key)) !== "invalid"
  ) {
    return { record: stored, created: false };
  }
  const account = await options.api.createAccount(demoAccountName);
  await options.api.grantCredits(account.id, demoCreditsUsd);
  const key = await options.api.createKey(account.id, "demo key (npm start)");
  const record: DemoAccountRecord = {
    account_id: account.id,
    key: key.key,
    ...(key.hash === undefined ? {} : { key_hash: key.hash }),
    database: options.database,
    created_at: (options.now ?? (() => new Date()))().toISOString(),
  };
  const temporary = `${options.file}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, options.file);
  return { record, created: true };
}
