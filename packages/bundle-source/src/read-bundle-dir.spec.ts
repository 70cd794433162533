import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BundleDirError } from "./bundle-dir-error";
import { readBundleDir } from "./read-bundle-dir";

describe("readBundleDir", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowzone-bundle-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads every yaml and yml file recursively, sorted, with posix relative paths", async () => {
    await mkdir(join(dir, "zones", "eu"), { recursive: true });
    await writeFile(join(dir, "zones", "eu", "banana.yml"), "kind: Zone\n");
    await writeFile(join(dir, "labels.yaml"), "kind: Label\n");
    await writeFile(join(dir, "assets.yaml"), "kind: Asset\n");
    await writeFile(join(dir, "README.md"), "# not policy\n");
    await writeFile(join(dir, "zones", "notes.txt"), "nope\n");

    expect(await readBundleDir(dir)).toEqual([
      { path: "assets.yaml", content: "kind: Asset\n" },
      { path: "labels.yaml", content: "kind: Label\n" },
      { path: "zones/eu/banana.yml", content: "kind: Zone\n" },
    ]);
  });

  it("skips hidden files and directories", async () => {
    await mkdir(join(dir, ".git"));
    await writeFile(join(dir, ".git", "config.yaml"), "x: 1\n");
    await writeFile(join(dir, ".draft.yaml"), "x: 1\n");
    await writeFile(join(dir, "a.yaml"), "kind: Label\n");
    expect((await readBundleDir(dir)).map((f) => f.path)).toEqual(["a.yaml"]);
  });

  it("follows symbolic links the way a ConfigMap mount lays them out", async () => {
    await mkdir(join(dir, "..2024_data"));
    await writeFile(join(dir, "..2024_data", "policy.yaml"), "kind: Label\n");
    await symlink("..2024_data", join(dir, "..data"));
    await symlink(join("..data", "policy.yaml"), join(dir, "policy.yaml"));
    expect(await readBundleDir(dir)).toEqual([{ path: "policy.yaml", content: "kind: Label\n" }]);
  });

  it("returns an empty list for an empty directory", async () => {
    expect(await readBundleDir(dir)).toEqual([]);
  });

  it("names a missing directory in its error", async () => {
    const missing = join(dir, "nope");
    const error: unknown = await readBundleDir(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleDirError);
    expect((error as BundleDirError).dir).toBe(missing);
    expect((error as Error).message).toBe(`cannot read policy directory "${missing}": it does not exist`);
  });

  it("names a path that is a file, not a directory", async () => {
    const file = join(dir, "a.yaml");
    await writeFile(file, "x: 1\n");
    await expect(readBundleDir(file)).rejects.toThrow(`cannot read policy directory "${file}": it is not a directory`);
  });

  it("names an unreadable directory", async () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const locked = join(dir, "locked");
    await mkdir(locked);
    await chmod(locked, 0o000);
    try {
      await expect(readBundleDir(locked)).rejects.toThrow(`cannot read policy directory "${locked}": permission denied`);
    } finally {
      await chmod(locked, 0o700);
    }
  });
});
