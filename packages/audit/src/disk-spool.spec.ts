import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { createLogger } from "@flowzone/logging";

import type { EncodedAuditRecord } from "./audit-record";
import { DiskSpool, SEGMENT_MAGIC } from "./disk-spool";
import { frameBytes } from "./spool-frame";
import { limitFileSize } from "../../../test/support/file-size-limit";
import { collectingLogger } from "../../../test/support/logger";
import { waitFor } from "../../../test/support/poll";

const logger = createLogger({ level: "silent" });
const rec = (i: number): EncodedAuditRecord => ({ key: `zone-${i % 3}`, value: Buffer.from(`record-${i}`.padEnd(40, ".")) });
const range = (from: number, to: number): EncodedAuditRecord[] => Array.from({ length: to - from }, (_, i) => rec(from + i));
const ids = (records: readonly EncodedAuditRecord[]): string[] => records.map((r) => r.value.toString().replace(/\.+$/, ""));

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowzone-spool-spec-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const open = (maxBytes = 1024 * 1024, segmentBytes = 1024): Promise<DiskSpool> => DiskSpool.open({ dir, maxBytes, segmentBytes, logger });

async function drain(spool: DiskSpool, batch = 7): Promise<EncodedAuditRecord[]> {
  const out: EncodedAuditRecord[] = [];
  for (;;) {
    const read = await spool.readBatch(batch);
    if (read === undefined) return out;
    out.push(...read.records);
    spool.commit(read.end, read.records.length);
  }
}

/** The segment files, oldest first (their names are zero-padded sequence numbers; readdir's order is the file system's). */
const segments = (): string[] => fs.readdirSync(dir).filter((n) => n.endsWith(".seg")).sort();
const bytesOnDisk = (): number => segments().reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);

/** The open flags of this process's descriptor of `file`, as Linux shows them in /proc/self/fdinfo. */
function openFlagsOf(file: string): number {
  for (const fd of fs.readdirSync("/proc/self/fd")) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the descriptor readdir itself used, closed meanwhile
    }
    if (target !== file) continue;
    const flags = /^flags:\s+([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
    if (flags !== undefined) return parseInt(flags, 8);
  }
  throw new Error(`${file} is not open in this process`);
}

describe("DiskSpool", () => {
  it("reads back what was appended, in order, across segments, and deletes what was read", async () => {
    const spool = await open();
    for (let i = 0; i < 100; i += 10) expect(spool.append(range(i, i + 10))).toBeDefined();
    expect(segments().length).toBeGreaterThan(2);
    expect(spool.records).toBe(100);
    expect(ids(await drain(spool))).toEqual(ids(range(0, 100)));
    expect(spool.records).toBe(0);
    expect(spool.bytes).toBe(0);
    await spool.close(); // segments read past are deleted off the event loop's thread; close waits for that
    expect(segments()).toEqual([]);
  });

  it("deletes segments read past off the event loop's thread, and close waits for the deletions", async () => {
    const spool = await open();
    for (let i = 0; i < 60; i += 10) spool.append(range(i, i + 10));
    await spool.sync(false);
    const written = segments();
    expect(written.length).toBeGreaterThan(2);
    // A slow disk: each deletion takes a while. The thread goes on meanwhile; close returns after them.
    const rm = fs.promises.rm.bind(fs.promises);
    const slowRm = jest.spyOn(fs.promises, "rm").mockImplementation(async (file, options) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await rm(file, options);
    });
    try {
      expect(ids(await drain(spool))).toEqual(ids(range(0, 60)));
      expect(segments()).toEqual(written); // none deleted on the thread that committed them
      await spool.close();
      expect(segments()).toEqual([]);
      expect(slowRm.mock.calls.map(([file]) => path.basename(String(file))).filter((name) => name.endsWith(".seg"))).toEqual(written);
    } finally {
      slowRm.mockRestore();
    }
  });

  it("does not hand out a record twice until it is committed, then moves on", async () => {
    const spool = await open();
    spool.append(range(0, 5));
    const first = await spool.readBatch(3);
    const again = await spool.readBatch(3);
    if (first === undefined || again === undefined) throw new Error("nothing read");
    expect(ids(again.records)).toEqual(ids(first.records));
    expect(ids(first.records)).toEqual(ids(range(0, 3)));
    spool.commit(first.end, 3);
    expect(ids((await spool.readBatch(10))?.records ?? [])).toEqual(ids(range(3, 5)));
    await spool.close();
  });

  it("keeps within maxBytes: an append that would pass it is refused whole", async () => {
    const oneFrame = frameBytes(rec(0));
    const spool = await open(SEGMENT_MAGIC.length + oneFrame * 4, 1024);
    expect(spool.append(range(0, 3))).toBeDefined();
    expect(spool.append(range(3, 5))).toBeUndefined();
    expect(spool.records).toBe(3);
    expect(spool.append(range(3, 4))).toBeDefined();
    expect(spool.bytes).toBe(oneFrame * 4);
    expect(spool.append([rec(9)])).toBeUndefined();
    expect(ids(await drain(spool))).toEqual(ids(range(0, 4)));
    await spool.close();
  });

  it("survives a restart: a new spool on the same directory resumes after the last commit", async () => {
    const first = await open();
    first.append(range(0, 30));
    const read = await first.readBatch(12);
    if (read === undefined) throw new Error("nothing read");
    first.commit(read.end, 12);
    await first.close();

    const second = await open();
    expect(second.records).toBe(18);
    second.append(range(30, 35));
    expect(ids(await drain(second))).toEqual(ids(range(12, 35)));
    await second.close();
  });

  it("keeps appending to a tail read to its end instead of making a file per batch", async () => {
    const spool = await open(1024 * 1024, 4096);
    spool.append(range(0, 3));
    expect(ids(await drain(spool))).toEqual(ids(range(0, 3)));
    const before = segments();
    spool.append(range(3, 6));
    expect(segments()).toEqual(before);
    expect(spool.bytes).toBe(frameBytes(rec(3)) * 3);
    expect(ids(await drain(spool))).toEqual(ids(range(3, 6)));
    await spool.close();
  });

  it("after a restart on a drained spool, reads what is appended past the segment it left", async () => {
    const first = await open(1024 * 1024, 4096);
    first.append(range(0, 3));
    await drain(first);
    await first.close();
    const second = await open(1024 * 1024, 4096);
    second.append(range(3, 6));
    expect(second.records).toBe(3);
    expect(ids(await drain(second))).toEqual(ids(range(3, 6)));
    await second.close();
  });

  it("keeps synced records when the process dies without closing, resuming after the last persisted commit", async () => {
    const dying = await open();
    dying.append(range(0, 8));
    const read = await dying.readBatch(3);
    if (read === undefined) throw new Error("nothing read");
    dying.commit(read.end, 3);
    await waitFor("the cursor persisted after the commit", () => fs.existsSync(path.join(dir, "cursor.json")), { timeoutMs: 2_000, intervalMs: 10 });
    dying.append(range(8, 10));
    await dying.sync(false); // written, never closed: as after a SIGKILL once the caller was answered

    const next = await open();
    expect(ids(await drain(next))).toEqual(ids(range(3, 10)));
    await next.close();
  });

  it("does not write what is only staged: a new segment's first bytes and its records reach the file at sync", async () => {
    const spool = await open();
    spool.append(range(0, 4));
    expect(bytesOnDisk()).toBe(0);
    await spool.sync(true);
    expect(bytesOnDisk()).toBe(SEGMENT_MAGIC.length + frameBytes(rec(0)) * 4);
    await spool.close();
  });

  it("opens segments for synchronized writes (O_DSYNC) when asked, and only then", async () => {
    for (const synchronizedWrites of [true, false]) {
      const spool = await DiskSpool.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 1024, synchronizedWrites, logger });
      spool.append(range(0, 2));
      const flags = openFlagsOf(path.join(dir, segments().at(-1) ?? "missing"));
      expect([synchronizedWrites, (flags & fs.constants.O_DSYNC) !== 0]).toEqual([synchronizedWrites, synchronizedWrites]);
      await spool.close();
    }
  });

  it("with synchronized writes, writes at sync and hands a new process every synced record", async () => {
    const dying = await DiskSpool.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 1024, synchronizedWrites: true, logger });
    for (let i = 0; i < 40; i += 10) dying.append(range(i, i + 10));
    expect(bytesOnDisk()).toBe(0);
    await dying.sync(true); // never closed: as after a SIGKILL once the caller was answered
    expect(segments().length).toBeGreaterThan(1);

    const next = await open();
    expect(ids(await drain(next))).toEqual(ids(range(0, 40)));
    await next.close();
  });

  it("cuts a torn tail left by a crash, keeping every complete record before it", async () => {
    const first = await open(1024 * 1024, 64 * 1024);
    first.append(range(0, 10));
    await first.close();
    const file = path.join(dir, segments()[0] ?? "missing");
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 5); // the last frame lost its last 5 bytes

    const second = await open(1024 * 1024, 64 * 1024);
    expect(second.records).toBe(9);
    expect(fs.statSync(file).size).toBe(size - frameBytes(rec(9)));
    second.append(range(10, 12));
    expect(ids(await drain(second))).toEqual([...ids(range(0, 9)), ...ids(range(10, 12))]);
    await second.close();
  });

  it("moves a file that is not a spool segment aside instead of reading it", async () => {
    fs.writeFileSync(path.join(dir, `${"1".padStart(20, "0")}.seg`), "not a spool at all");
    const spool = await open();
    expect(spool.records).toBe(0);
    expect(fs.readdirSync(dir)).toContain(`${"1".padStart(20, "0")}.seg.bad`);
    await spool.close();
  });

  describe("when a write fails (the kernel refuses it: the file-size limit, EFBIG)", () => {
    /** Counts the spool's write attempts, each still the real `fs.write`. */
    const countWrites = (): (() => number) => {
      const spy = jest.spyOn(fs, "write");
      return () => spy.mock.calls.length;
    };
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it("waits for the write to succeed, refusing appends meanwhile, and then has every record on disk", async () => {
      const spool = await open(1024 * 1024, 64 * 1024);
      spool.append(range(0, 10));
      await spool.sync(true);
      const writes = countWrites();
      const restore = limitFileSize(bytesOnDisk() + 20); // the next write fits 20 bytes, then fails
      let synced = false;
      let sync: Promise<void>;
      try {
        expect(spool.append(range(10, 20))).toBeDefined();
        sync = spool.sync(true).then(() => {
          synced = true;
        });
        await waitFor("the spool to see its write fail", () => spool.writeError !== undefined, { timeoutMs: 2_000, intervalMs: 5 });
        expect(spool.writeError).toMatch(/file too large/i);
        expect(spool.append(range(20, 30))).toBeUndefined();
        const failed = writes();
        await waitFor("the failed write tried twice more", () => writes() >= failed + 2, { timeoutMs: 2_000, intervalMs: 5 });
        expect(synced).toBe(false);
      } finally {
        restore();
      }
      await sync;
      expect(spool.writeError).toBeUndefined();
      expect(spool.append(range(20, 25))).toBeDefined();
      await spool.sync(true);
      await spool.close();

      const next = await open(1024 * 1024, 64 * 1024);
      expect(ids(await drain(next))).toEqual(ids(range(0, 25)));
      await next.close();
    });

    it("gives up only at close, and logs how many records it leaves unwritten", async () => {
      const { logger: log, lines } = collectingLogger();
      const spool = await DiskSpool.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 64 * 1024, logger: log });
      spool.append(range(0, 2));
      await spool.sync(true);
      const restore = limitFileSize(bytesOnDisk());
      try {
        spool.append(range(2, 9));
        const sync = spool.sync(true);
        await waitFor("the spool to see its write fail", () => spool.writeError !== undefined, { timeoutMs: 2_000, intervalMs: 5 });
        await spool.close();
        await sync;
      } finally {
        restore();
      }
      expect(lines.filter((line) => line.level === 50).map((line) => [line.msg, line.records])).toEqual([
        ["audit spool cannot write; the write is tried again until it succeeds, answers wait for it, and new records are refused meanwhile", undefined],
        ["audit spool closes with records it could not write; they are not on disk (those Kafka acknowledged are kept there)", 7],
      ]);
      const next = await open(1024 * 1024, 64 * 1024);
      expect(ids(await drain(next))).toEqual(ids(range(0, 2)));
      await next.close();
    });
  });
});
