import { ConfigError, loadConfig } from "@switchboard/config";
import { createSubjects } from "@switchboard/contracts";
import { createDatabase } from "@switchboard/db";
import { busIdentities, connectNats, natsConnectionSettings } from "@switchboard/messaging";
import { AdminKeyChangePublisher } from "./admin/admin-key-change-publisher.js";
import { runAdminCommand } from "./admin/run-admin-command.js";
import { adminConfigSchema } from "./config.js";

// `npm run admin -- <command>`: wiring only; the commands live in admin/run-admin-command.ts.
try {
  const config = loadConfig(adminConfigSchema, process.env);
  const database = createDatabase({ connectionString: config.DATABASE_URL, applicationName: "switchboard-admin", maxConnections: 1 });
  const keyChangePublisher = new AdminKeyChangePublisher({
    // One attempt, no reconnects: an operator waiting on the CLI gets the warning quickly instead.
    connect: () =>
      connectNats({ ...natsConnectionSettings(config, busIdentities.admin), name: "switchboard-admin", timeoutMs: 2_000, reconnect: false }),
    subjects: createSubjects(config.SWITCHBOARD_NATS_NAMESPACE),
    warn: (text) => process.stderr.write(`${text}\n`),
  });
  try {
    process.exitCode = await runAdminCommand(process.argv.slice(2), {
      database,
      keyChangePublisher,
      output: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
    });
  } finally {
    await keyChangePublisher.close();
    await database.destroy();
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
