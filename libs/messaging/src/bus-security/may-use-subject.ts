import type { BusPermissions } from "./bus-permissions.js";

/**
 * Whether `permissions` let an identity publish or subscribe to `subject` (which may itself be a
 * wildcard subscription), the way nats-server decides: allowed by an allow entry and by no deny entry.
 * Answers to requests through `allowResponses` are not counted. For tests and the README's table.
 */
export function mayUseSubject(permissions: BusPermissions, operation: "publish" | "subscribe", subject: string): boolean {
  const permission = operation === "publish" ? permissions.publish : permissions.subscribe;
  return permission.allow.some((pattern) => covers(pattern, subject)) && !permission.deny.some((pattern) => covers(pattern, subject));
}

/** True when every subject `subject` can stand for is matched by `pattern` (`*` one token, `>` the rest). */
function covers(pattern: string, subject: string): boolean {
  const patternTokens = pattern.split(".");
  const subjectTokens = subject.split(".");
  for (let index = 0; index < patternTokens.length; index++) {
    const token = patternTokens[index];
    if (token === ">") return subjectTokens.length > index;
    const subjectToken = subjectTokens[index];
    if (subjectToken === undefined) return false;
    if (token === "*") {
      if (subjectToken === ">") return false;
      continue;
    }
    if (token !== subjectToken) return false;
  }
  return subjectTokens.length === patternTokens.length;
}
