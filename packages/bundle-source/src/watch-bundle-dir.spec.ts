import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourceFile } from "@flowzone/engine";
import { readBundleDir } from "./read-bundle-dir";
import type { BundleWatcher } from "./watch-bundle-dir";
import { fingerprintOf, watchBundleDir } from "./watch-bundle-dir";

const INTERVAL_MS = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs = 2000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

describe("watchBundleDir", () => {
  let dir: string;
  let watcher: BundleWatcher | undefined;
  let changes: SourceFile[][];
  let errors: unknown[];
  let polls: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowzone-watch-"));
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: a\n");
    changes = [];
    errors = [];
    polls = 0;
  });

  afterEach(async () => {
    watcher?.close();
    watcher = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function start(withInitial = true): Promise<void> {
    const initial = withInitial ? await readBundleDir(dir) : undefined;
    watcher = watchBundleDir(dir, {
      intervalMs: INTERVAL_MS,
      ...(initial === undefined ? {} : { initial }),
      onChange: (files) => {
        changes.push(files);
      },
      onError: (error) => errors.push(error),
      onPoll: () => {
        polls += 1;
      },
    });
  }

  it("reports an edit with the whole new bundle", async () => {
    await start();
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: b\n");
    await until(() => changes.length === 1);
    expect(changes[0]).toEqual([{ path: "a.yaml", content: "kind: Label\nname: b\n" }]);
  });

  it("reports an added and a removed file", async () => {
    await start();
    await writeFile(join(dir, "b.yml"), "kind: Label\nname: b\n");
    await until(() => changes.length === 1);
    expect(changes[0]?.map((f) => f.path)).toEqual(["a.yaml", "b.yml"]);
    await rm(join(dir, "b.yml"));
    await until(() => changes.length === 2);
    expect(changes[1]?.map((f) => f.path)).toEqual(["a.yaml"]);
  });

  it("ignores a touch or a save without a content change", async () => {
    await start();
    const later = new Date(Date.now() + 60_000);
    await utimes(join(dir, "a.yaml"), later, later);
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: a\n");
    await writeFile(join(dir, "notes.txt"), "not policy");
    // The first poll to end may have started before the writes; the second started after them all.
    const after = polls + 2;
    await until(() => polls >= after, 2000, `${after} polls, 2 of them after the writes`);
    expect(changes).toEqual([]);
  });

  it("detects an edit made before it started when given the initial files", async () => {
    const initial = await readBundleDir(dir);
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: c\n");
    watcher = watchBundleDir(dir, {
      intervalMs: INTERVAL_MS,
      initial,
      onChange: (files) => {
        changes.push(files);
      },
      onError: (error) => errors.push(error),
    });
    await until(() => changes.length === 1);
  });

  it("takes the first poll as the baseline without initial files", async () => {
    await start(false);
    await sleep(INTERVAL_MS * 4);
    expect(changes).toEqual([]);
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: d\n");
    await until(() => changes.length === 1);
  });

  it("reports a vanished directory once and recovers when it returns", async () => {
    await start();
    await rm(dir, { recursive: true });
    await until(() => errors.length === 1);
    await sleep(INTERVAL_MS * 5);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain(dir);
    await mkdir(dir);
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: back\n");
    await until(() => changes.length === 1);
  });

  it("reports a failing onChange as an error and keeps polling", async () => {
    const initial = await readBundleDir(dir);
    let calls = 0;
    watcher = watchBundleDir(dir, {
      intervalMs: INTERVAL_MS,
      initial,
      onChange: () => {
        calls += 1;
        throw new Error("boom");
      },
      onError: (error) => errors.push(error),
    });
    await writeFile(join(dir, "a.yaml"), "x: 1\n");
    await until(() => errors.length === 1);
    await writeFile(join(dir, "a.yaml"), "x: 2\n");
    await until(() => calls === 2);
  });

  it("calls nothing after close", async () => {
    await start();
    watcher?.close();
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: e\n");
    await sleep(INTERVAL_MS * 5);
    expect(changes).toEqual([]);
  });
});

describe("fingerprintOf", () => {
  it("differs when a file moves, even with the same content", () => {
    expect(fingerprintOf([{ path: "a.yaml", content: "x" }])).not.toBe(fingerprintOf([{ path: "b.yaml", content: "x" }]));
  });
});
