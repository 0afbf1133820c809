import { z } from "zod";

/** The most rows one admin listing returns; a listing asks for fewer with `limit`. */
export const adminListingMaximumLimit = 500;

/** Asks billing for the newest `limit` rows of an admin listing (settlement anomalies, the admin audit). */
export const adminListingRequestSchema = z.strictObject({
  limit: z.number().int().min(1).max(adminListingMaximumLimit),
});
export type AdminListingRequest = z.infer<typeof adminListingRequestSchema>;
