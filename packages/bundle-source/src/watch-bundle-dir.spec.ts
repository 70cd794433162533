import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourceFile } from "@flowzone/engine";
import { readBundleDir } from "./read-bundle-dir";
import type { BundleWatcher } from "./watch-bundle-dir";
import { fingerprintOf, watchBundleDir } from "./watch-bundle-dir";
import { waitFor } from "../../../test/support/poll";

const INTERVAL_MS = 20;
/** How long and how often the spec polls for what the watcher did. */
const POLL = { timeoutMs: 2000, intervalMs: 5 };

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
    await waitFor("the edit to be reported", () => changes.length === 1, POLL);
    expect(changes[0]).toEqual([{ path: "a.yaml", content: "kind: Label\nname: b\n" }]);
  });

  it("reports an added and a removed file", async () => {
    await start();
    await writeFile(join(dir, "b.yml"), "kind: Label\nname: b\n");
    await waitFor("the added file to be reported", () => changes.length === 1, POLL);
    expect(changes[0]?.map((f) => f.path)).toEqual(["a.yaml", "b.yml"]);
    await rm(join(dir, "b.yml"));
    await waitFor("the removed file to be reported", () => changes.length === 2, POLL);
    expect(changes[1]?.map((f) => f.path)).toEqual(["a.yaml"]);
  });

  it("reports an edit only once two polls read it: a file read between its truncation and its write is never reported", async () => {
    const initial = await readBundleDir(dir);
    // Each write is made as a poll ends, so exactly one poll reads each state: the truncated file,
    // then the saved one (which the poll after confirms).
    const writes = ["", "kind: Label\nname: saved\n"];
    watcher = watchBundleDir(dir, {
      intervalMs: INTERVAL_MS,
      initial,
      onChange: (files) => {
        changes.push(files);
      },
      onError: (error) => errors.push(error),
      onPoll: () => {
        const next = writes.shift();
        if (next !== undefined) writeFileSync(join(dir, "a.yaml"), next);
      },
    });
    await waitFor("the saved file to be reported", () => changes.length === 1, POLL);
    expect(changes).toEqual([[{ path: "a.yaml", content: "kind: Label\nname: saved\n" }]]);
    expect(errors).toEqual([]);
  });

  it("ignores a touch or a save without a content change", async () => {
    await start();
    const later = new Date(Date.now() + 60_000);
    await utimes(join(dir, "a.yaml"), later, later);
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: a\n");
    await writeFile(join(dir, "notes.txt"), "not policy");
    // The first poll to end may have started before the writes; the second started after them all.
    const after = polls + 2;
    await waitFor(`${after} polls, 2 of them after the writes`, () => polls >= after, POLL);
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
    await waitFor("the edit made before the start to be reported", () => changes.length === 1, POLL);
  });

  it("takes the first poll as the baseline without initial files", async () => {
    await start(false);
    // The first poll takes the baseline; three more compare the unchanged directory against it.
    await waitFor("4 polls", () => polls >= 4, POLL);
    expect(changes).toEqual([]);
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: d\n");
    await waitFor("the edit after the baseline to be reported", () => changes.length === 1, POLL);
  });

  it("reports a vanished directory once and recovers when it returns", async () => {
    await start();
    await rm(dir, { recursive: true });
    await waitFor("the vanished directory to be reported", () => errors.length === 1, POLL);
    // The poll that reported it may not have ended yet; the 5 after it found the directory gone too.
    const after = polls + 6;
    await waitFor(`${after} polls, 5 of them after the one that reported the directory gone`, () => polls >= after, POLL);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain(dir);
    await mkdir(dir);
    await writeFile(join(dir, "a.yaml"), "kind: Label\nname: back\n");
    await waitFor("the returned directory's edit to be reported", () => changes.length === 1, POLL);
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
    await waitFor("the failing onChange to be reported", () => errors.length === 1, POLL);
    await writeFile(join(dir, "a.yaml"), "x: 2\n");
    await waitFor("onChange to be called for the second edit", () => calls === 2, POLL);
  });

  it("calls nothing after close", async () => {
    await start();
    watcher?.close();
    // A watcher that is not closed, on the same directory and the same initial files, shows when
    // the edit has been there for 5 polls: long enough for the closed one to have reported it.
    const initial = await readBundleDir(dir);
    const seen: SourceFile[][] = [];
    let controlPolls = 0;
    const control = watchBundleDir(dir, {
      intervalMs: INTERVAL_MS,
      initial,
      onChange: (files) => {
        seen.push(files);
      },
      onError: (error) => errors.push(error),
      onPoll: () => {
        controlPolls += 1;
      },
    });
    try {
      await writeFile(join(dir, "a.yaml"), "kind: Label\nname: e\n");
      await waitFor("a watcher that is not closed to report the edit", () => seen.length === 1, POLL);
      const after = controlPolls + 5;
      await waitFor(`${after} polls of the open watcher`, () => controlPolls >= after, POLL);
    } finally {
      control.close();
    }
    expect(changes).toEqual([]);
    expect(errors).toEqual([]);
    expect(polls).toBe(0);
  });
});

describe("fingerprintOf", () => {
  it("differs when a file moves, even with the same content", () => {
    expect(fingerprintOf([{ path: "a.yaml", content: "x" }])).not.toBe(fingerprintOf([{ path: "b.yaml", content: "x" }]));
  });
});
