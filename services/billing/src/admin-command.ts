import { ConfigError, loadConfig } from "@switchboard/config";
import { createDatabase } from "@switchboard/db";
import { runAdminCommand } from "./admin/run-admin-command.js";
import { adminConfigSchema } from "./config.js";

// `npm run admin -- <command>`: wiring only; the commands live in admin/run-admin-command.ts.
try {
  const config = loadConfig(adminConfigSchema, process.env);
  const database = createDatabase({ connectionString: config.DATABASE_URL, applicationName: "switchboard-admin", maxConnections: 1 });
  try {
    process.exitCode = await runAdminCommand(process.argv.slice(2), {
      database,
      output: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
    });
  } finally {
    await database.destroy();
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
