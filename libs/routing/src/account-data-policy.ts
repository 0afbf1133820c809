import type { AccountDataPolicy, ProviderPreferences } from "@switchboard/contracts";

/**
 * The provider preferences a request is routed with once its account's data policy applies: the stricter
 * of the account's and the request's `data_collection` and `zdr`, so a request can tighten its account's
 * policy but never loosen it. Everything else in the request's preferences stays as it is.
 */
export function withAccountDataPolicy(preferences: ProviderPreferences | undefined, policy: AccountDataPolicy | undefined): ProviderPreferences | undefined {
  const denyTraining = policy?.data_collection === "deny" && preferences?.data_collection !== "deny";
  const zdrOnly = policy?.zdr === true && preferences?.zdr !== true;
  if (!denyTraining && !zdrOnly) return preferences;
  return { ...preferences, ...(denyTraining ? { data_collection: "deny" as const } : {}), ...(zdrOnly ? { zdr: true } : {}) };
}
