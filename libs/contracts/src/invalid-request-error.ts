import type { z } from "zod";
import { gatewayError, gatewayErrorCodes, type GatewayError } from "./errors.js";
import { quoteUserText } from "./text/quote-user-text.js";

/** Enough issues for a client to fix a request in one go; a hostile body can have thousands. */
const maximumIssues = 10;
const maximumQuotedKeys = 5;

/**
 * The 400 for a request that does not match its schema: the first problem in the message, naming the
 * field (`Invalid request: messages.0.role: ...`), and the first few problems in `metadata.issues`.
 * Whatever the client chose (object keys) is quoted and bounded, never repeated raw.
 */
export function invalidRequestError(error: z.ZodError): GatewayError {
  const issues = error.issues.slice(0, maximumIssues).map((issue) => ({ path: describePath(issue.path), message: describeProblem(issue) }));
  const first = issues[0];
  const where = first?.path ? `${first.path}: ` : "";
  return gatewayError(gatewayErrorCodes.invalidRequest, 400, `Invalid request: ${where}${first?.message ?? "malformed request"}`, { metadata: { issues } });
}

function describePath(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => (typeof segment === "string" && !/^[A-Za-z0-9_-]{1,64}$/.test(segment) ? quoteUserText(segment, 40) : String(segment)))
    .join(".");
}

function describeProblem(issue: z.core.$ZodIssue): string {
  // zod's own text for unknown keys repeats every key in full; everything else it says is ours or fixed.
  if (issue.code !== "unrecognized_keys") return issue.message;
  const quoted = issue.keys.slice(0, maximumQuotedKeys).map((key) => quoteUserText(key, 40));
  const more = issue.keys.length > maximumQuotedKeys ? ` and ${issue.keys.length - maximumQuotedKeys} more` : "";
  return `unrecognized key${issue.keys.length === 1 ? "" : "s"} ${quoted.join(", ")}${more}`;
}
