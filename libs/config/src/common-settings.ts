import { z } from "zod";

/** Environment shared by every service: where NATS is, which namespace to use, how much to log. */
export const natsSettings = {
  NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  SWITCHBOARD_NATS_NAMESPACE: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only").default("sb"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

export const databaseSettings = {
  DATABASE_URL: z.string().default("postgres://postgres@127.0.0.1:5432/test"),
};

/** An integer environment variable, e.g. a port or a limit. */
export function integerSetting(defaultValue: number, minimum = 0) {
  return z.coerce.number().int().min(minimum).default(defaultValue);
}
