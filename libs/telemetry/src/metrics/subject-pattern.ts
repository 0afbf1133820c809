/** A token that names one request or one account rather than a kind of message: a UUID, a generation id, several digits, or a long random token (a NUID is 22 characters). */
const identifierToken = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-|gen-)|[0-9].*[0-9].*[0-9].*[0-9]|^(?=.*[0-9])[A-Za-z0-9]{16,}$/i;

/**
 * A subject as a metric label: tokens that identify one request, inbox or account (a UUID, a generation
 * id, anything with several digits in it, a long random token) become `*`, and an inbox is `_INBOX.>`, so a
 * label value names a kind of message and the number of series stays bounded. `sb.billing.v1.reserve`
 * stays as it is; `sb.connector-cancel.v1.gen-0193…` becomes `sb.connector-cancel.v1.*`.
 */
export function subjectPattern(subject: string): string {
  if (subject.startsWith("_INBOX.")) return "_INBOX.>";
  const tokens = subject.split(".");
  let changed = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as string;
    if (token !== "*" && token !== ">" && identifierToken.test(token)) {
      tokens[index] = "*";
      changed = true;
    }
  }
  return changed ? tokens.join(".") : subject;
}
