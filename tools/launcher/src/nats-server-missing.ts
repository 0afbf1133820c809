/** Thrown when no nats-server binary is installed and NATS_URL is unset. */
export class NatsServerMissingError extends Error {
  constructor(platform: NodeJS.Platform) {
    super(describeMissingNatsServer(platform));
    this.name = "NatsServerMissingError";
  }
}

/** What to tell someone without nats-server: how to get it, or how to use a NATS they already run. */
export function describeMissingNatsServer(platform: NodeJS.Platform): string {
  const install =
    platform === "darwin"
      ? ["  brew install nats-server"]
      : platform === "linux"
        ? ["  sudo apt-get install nats-server      (Debian, Ubuntu)", "  or a release from https://github.com/nats-io/nats-server/releases"]
        : ["  a release from https://github.com/nats-io/nats-server/releases"];
  return [
    "nats-server was not found on PATH or in /usr/sbin.",
    "Switchboard's services talk over NATS (with JetStream). Install it:",
    ...install,
    "or point the launcher at a NATS server with JetStream enabled:",
    "  NATS_URL=nats://127.0.0.1:4222 npm start",
  ].join("\n");
}
