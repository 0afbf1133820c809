import { userInfo } from "node:os";
import type { AdminCaller } from "@switchboard/contracts";

/**
 * The admin CLI's caller for the audit: `cli:<os user>`. The CLI talks to PostgreSQL directly, so the
 * operating-system account that ran it is the best identity there is (the database role is shared).
 */
export function cliCaller(): AdminCaller {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container user without a passwd entry has no name: its uid still tells operators apart.
    user = `uid-${process.getuid?.() ?? "unknown"}`;
  }
  return { actor: `cli:${user}`.slice(0, 200), clientAddress: null, requestId: null };
}
