import type { AdminCaller } from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import type { Kysely } from "kysely";
import { runAdminCommand } from "../../../services/billing/src/admin/run-admin-command.js";

export interface AdminRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one `npm run admin` command in process against `database`, capturing what it prints. Key-change
 * announcements go nowhere (key-changes.test.ts covers them); `caller` overrides the CLI's own
 * `cli:<os user>`.
 */
export async function runAdminForTest(database: Kysely<Database>, argv: readonly string[], caller?: AdminCaller): Promise<AdminRun> {
  let stdout = "";
  let stderr = "";
  const exitCode = await runAdminCommand(argv, {
    database,
    keyChangePublisher: { publish: async () => undefined },
    output: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    ...(caller ? { caller } : {}),
  });
  return { exitCode, stdout, stderr };
}
