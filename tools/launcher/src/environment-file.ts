import { readFile } from "node:fs/promises";
import { parseEnv } from "node:util";

export interface MergedEnvironment {
  environment: Record<string, string | undefined>;
  /** Names taken from the file; variables already set in the environment win over the file. */
  added: string[];
}

/** Adds the variables of a `.env` text that the environment does not set already. */
export function mergeEnvironmentFile(text: string, environment: Readonly<Record<string, string | undefined>>): MergedEnvironment {
  const merged: Record<string, string | undefined> = { ...environment };
  const added: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (value === undefined || merged[name] !== undefined) continue;
    merged[name] = value;
    added.push(name);
  }
  return { environment: merged, added };
}

/** Like `mergeEnvironmentFile`, reading the file; a missing file adds nothing. */
export async function readEnvironmentFile(
  filePath: string,
  environment: Readonly<Record<string, string | undefined>>,
): Promise<MergedEnvironment | undefined> {
  let text: string;
  try {
    text = await readFile(filePath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return mergeEnvironmentFile(text, environment);
}
