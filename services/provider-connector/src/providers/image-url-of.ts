/**
 * The URL of an OpenAI `image_url` content part: `image_url.url`, or `image_url` itself when a client
 * sends it as a bare string; undefined when the part has neither.
 */
export function imageUrlOf(part: Record<string, unknown>): unknown {
  const imageUrl = part["image_url"];
  if (typeof imageUrl === "string") return imageUrl;
  return typeof imageUrl === "object" && imageUrl !== null ? (imageUrl as Record<string, unknown>)["url"] : undefined;
}
