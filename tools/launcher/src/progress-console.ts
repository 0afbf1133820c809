/** Console output of the launcher: one line per start-up step, e.g. `starting PostgreSQL… ok (0.4 s)`. */
export interface ProgressConsole {
  /** Runs `action`, showing `label… ok (n s)` or `label… failed (n s)`; rethrows the failure. */
  step<T>(label: string, action: () => Promise<T>): Promise<T>;
  /** Prints a whole line, keeping an open step line intact. */
  line(text: string): void;
}

export interface ProgressConsoleOptions {
  write: (text: string) => void;
  /** Milliseconds; `performance.now()` in production. */
  now: () => number;
}

export function formatSeconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

export function createProgressConsole(options: ProgressConsoleOptions): ProgressConsole {
  let openLabel: string | undefined;
  let interrupted = false;

  const finish = (outcome: string, startedAt: number) => {
    const suffix = `${outcome} (${formatSeconds(options.now() - startedAt)})\n`;
    // When other lines were printed meanwhile, repeat the label so the outcome is not orphaned.
    options.write(interrupted ? `${openLabel ?? ""}… ${suffix}` : suffix);
    openLabel = undefined;
    interrupted = false;
  };

  return {
    async step(label, action) {
      const startedAt = options.now();
      openLabel = label;
      interrupted = false;
      options.write(`${label}… `);
      try {
        const result = await action();
        finish("ok", startedAt);
        return result;
      } catch (error) {
        finish("failed", startedAt);
        throw error;
      }
    },
    line(text) {
      if (openLabel !== undefined && !interrupted) {
        options.write("\n");
        interrupted = true;
      }
      options.write(`${text}\n`);
    },
  };
}
