/** Splits a byte stream into lines; `flush()` emits a last line that had no newline. */
export function createLineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; flush(): void } {
  let pending = "";
  return {
    push(chunk) {
      pending += chunk.toString();
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        onLine(pending.slice(0, newline).replace(/\r$/, ""));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    },
    flush() {
      if (pending !== "") onLine(pending);
      pending = "";
    },
  };
}

const pinoLevelNames: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const warningLevel = 40;
/**
 * nats-server's own log format, `[pid] date time [LVL] message`, below error level. Its warnings are
 * about its configuration (e.g. the large max_payload we set on purpose) and mean nothing to a user of
 * `npm start`; they stay in its log file. Errors still show, and if it dies the supervisor shows its
 * last lines whatever their level.
 */
const natsQuietLine = /^\[\d+\] \S+ \S+ \[(INF|DBG|TRC|WRN)\] /;

export interface ConsoleLineOptions {
  /** Show every line (SWITCHBOARD_LAUNCHER_LOGS=console), not only warnings and errors. */
  everything: boolean;
  /** Width the process name is padded to, so the `|` separators line up. */
  nameWidth: number;
}

/**
 * What to show on the console for one log line of a child process, or undefined to keep it in the log
 * file only. pino JSON lines are shortened to level, message and error; other text is shown as it is
 * unless it is a nats-server line below error level.
 */
export function formatConsoleLine(processName: string, line: string, options: ConsoleLineOptions): string | undefined {
  if (line.trim() === "") return undefined;
  const prefix = `${processName.padEnd(options.nameWidth)} | `;
  const record = parseJsonObject(line);
  if (record !== undefined && typeof record["level"] === "number") {
    const level = record["level"];
    if (!options.everything && level < warningLevel) return undefined;
    const levelName = pinoLevelNames[level] ?? String(level);
    const message = typeof record["msg"] === "string" ? record["msg"] : "";
    const error = record["err"];
    const errorMessage =
      error !== null && typeof error === "object" && typeof (error as Record<string, unknown>)["message"] === "string"
        ? `: ${(error as Record<string, unknown>)["message"] as string}`
        : "";
    return `${prefix}${levelName} ${message}${errorMessage}`;
  }
  if (!options.everything && natsQuietLine.test(line)) return undefined;
  return `${prefix}${line}`;
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
