import { ConfigError, loadConfig } from "@switchboard/config";
import { createSubjects } from "@switchboard/contracts";
import { createDatabase } from "@switchboard/db";
import { busIdentities, connectNats, natsConnectionSettings } from "@switchboard/messaging";
import { AdminKeyChangePublisher } from "./admin/admin-key-change-publisher.js";
import { NatsDeadLetterLister } from "./admin/nats-dead-letter-lister.js";
import { runAdminCommand } from "./admin/run-admin-command.js";
import { adminConfigSchema } from "./config.js";

// `npm run admin -- <command>`: wiring only; the commands live in admin/run-admin-command.ts.
try {
  const config = loadConfig(adminConfigSchema, process.env);
  const database = createDatabase({ connectionString: config.DATABASE_URL, applicationName: "switchboard-admin", maxConnections: 1 });
  // One attempt, no reconnects: an operator waiting on the CLI gets the warning quickly instead.
  const connect = () => connectNats({ ...natsConnectionSettings(config, busIdentities.admin), name: "switchboard-admin", timeoutMs: 2_000, reconnect: false });
  const subjects = createSubjects(config.SWITCHBOARD_NATS_NAMESPACE);
  const keyChangePublisher = new AdminKeyChangePublisher({ connect, subjects, warn: (text) => process.stderr.write(`${text}\n`) });
  const deadLetters = new NatsDeadLetterLister({ connect, subjects });
  try {
    process.exitCode = await runAdminCommand(process.argv.slice(2), {
      database,
      keyChangePublisher,
      deadLetters,
      output: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
    });
  } finally {
    await keyChangePublisher.close();
    await deadLetters.close();
    await database.destroy();
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
