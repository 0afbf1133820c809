import { z } from "zod";

/**
 * An AWS region name without anchors (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`): two letters, one or
 * more words, then the region's number, one or two digits (numbers count up per area, so a tenth region
 * in an area must not stop working). One pattern for the catalog, which validates a provider's `region`,
 * and for the connector, which reads the region out of a Bedrock host: a name the catalog accepts is one
 * the connector can read.
 */
export const awsRegionNamePattern = "[a-z]{2}(?:-[a-z]+)+-\\d{1,2}";

/** A whole string that is an AWS region name. */
export const awsRegionName = z.string().regex(new RegExp(`^${awsRegionNamePattern}$`), "an AWS region name such as us-east-1");
