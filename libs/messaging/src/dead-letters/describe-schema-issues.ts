import type { z } from "zod";

/** More issues than this say nothing more to an operator; the rest are counted. */
const maximumIssuesDescribed = 10;

/**
 * A fact's validation issues as `path: message` pairs, for a dead letter's header and the log. Zod's
 * messages name what was expected and the type received, never the received value, and the input is not
 * kept on the issues, so the text holds nothing of the fact's data.
 */
export function describeSchemaIssues(issues: readonly z.core.$ZodIssue[]): string {
  const described = issues.slice(0, maximumIssuesDescribed).map((issue) => `${issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")}: ${issue.message}`);
  const more = issues.length - described.length;
  return more > 0 ? `${described.join("; ")}; and ${more} more` : described.join("; ");
}
