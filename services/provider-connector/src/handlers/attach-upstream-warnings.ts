import type { UnnumberedStreamPart, UpstreamWarning } from "@switchboard/contracts";

/**
 * Puts the request's warnings on the provider's `stream-start` part (the first one the adapter produces),
 * so they travel to ingress with the answer and cost no message of their own. Returns a function to pass
 * every batch of adapter parts through, in order.
 */
export function createWarningAttacher(warnings: readonly UpstreamWarning[]): (parts: UnnumberedStreamPart[]) => UnnumberedStreamPart[] {
  let attached = warnings.length === 0;
  return (parts) => {
    if (attached) return parts;
    return parts.map((part) => {
      if (attached || part.type !== "stream-start") return part;
      attached = true;
      return { ...part, warnings: [...warnings] };
    });
  };
}
