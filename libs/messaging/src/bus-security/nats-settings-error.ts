/** NATS credentials or TLS settings that cannot work, with what to change; reported at start-up without a stack. */
export class NatsSettingsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NatsSettingsError";
  }
}
