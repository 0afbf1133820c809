import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { catalogFileSchema, type CatalogFile } from "./catalog-file-schema.js";
import { expandEnvironmentReferences } from "./expand-environment-references.js";

/** Reads, expands and validates the catalog file; every problem is reported with its path in the file. */
export async function readCatalogFile(path: string, environment: Record<string, string | undefined>): Promise<CatalogFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`Cannot read the catalog file "${path}" (set SWITCHBOARD_CATALOG to its path)`, { cause: error });
  }
  return parseCatalog(text, path, environment);
}

export function parseCatalog(text: string, path: string, environment: Record<string, string | undefined>): CatalogFile {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`The catalog file "${path}" is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = catalogFileSchema.safeParse(expandEnvironmentReferences(document, environment));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`The catalog file "${path}" is invalid:\n${problems.join("\n")}`);
  }
  return result.data;
}
