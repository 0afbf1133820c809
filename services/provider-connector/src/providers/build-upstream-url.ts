/**
 * The absolute URL of an API path below a catalog `base_url`: the base's path is kept (`/v1`, `/openai/v1`,
 * a proxy prefix), one slash joins the two, and query parameters of both survive (the base's first, so an
 * Azure-style `?api-version=` in the catalog reaches the provider; the path's own, like Gemini's `alt=sse`,
 * after it).
 */
export function buildUpstreamUrl(baseUrl: string, path: string): string {
  const base = new URL(baseUrl);
  const [pathOnly = "", pathQuery] = path.split("?", 2);
  const url = new URL(base.origin);
  url.pathname = `${base.pathname.replace(/\/+$/, "")}/${pathOnly.replace(/^\/+/, "")}`;
  const query = new URLSearchParams(base.search);
  for (const [name, value] of new URLSearchParams(pathQuery ?? "")) query.append(name, value);
  url.search = query.toString();
  return url.toString();
}
