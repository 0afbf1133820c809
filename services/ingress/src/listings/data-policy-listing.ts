import type { DataPolicy, DataPolicyListing } from "@switchboard/contracts";

/** A catalog data policy in the listings' snake_case. */
export function dataPolicyListing(policy: DataPolicy): DataPolicyListing {
  return { training: policy.training, retains_prompts: policy.retainsPrompts, retention_days: policy.retentionDays, zdr: policy.zdr };
}
