import pg from "pg";

export interface DatabaseServer {
  port: number;
  user: string;
  password: string;
}

/** Creates `name` on the server at 127.0.0.1:`port` unless it exists (CREATE DATABASE has no IF NOT EXISTS). */
export async function createDatabaseIfMissing(server: DatabaseServer, name: string): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", port: server.port, user: server.user, password: server.password, database: "postgres" });
  await client.connect();
  try {
    const existing = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
