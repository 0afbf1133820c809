import type { AdminCaller } from "@switchboard/contracts";

/** The caller tests name when they call billing's admin endpoints directly, as ingress would. */
export const testAdminCaller: AdminCaller = { actor: "test", clientAddress: null, requestId: null };
