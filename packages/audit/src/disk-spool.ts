import fs from "node:fs";
import path from "node:path";

import { backoffDelayMs, type ExponentialBackoff } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

import type { EncodedAuditRecord } from "./audit-record";
import { decodeFrames, encodeFrames, FRAME_HEADER_BYTES, frameBytes, MAX_FRAME_BODY_BYTES } from "./spool-frame";

/** First bytes of every segment: a file that does not start so is not ours and is never read. */
export const SEGMENT_MAGIC = Buffer.from("FZAUDSP1", "ascii");
/** Bytes read from a segment per batch; a larger frame is read whole. */
const READ_CHUNK_BYTES = 1024 * 1024;
const SEGMENT_NAME = /^(\d{20})\.seg$/;
const CURSOR_FILE = "cursor.json";
/** How soon after a commit the cursor is persisted; a crash within it sends those batches again. */
const CURSOR_PERSIST_MS = 200;
/**
 * How a failed write is tried again: soon (a full disk may be freed in seconds), then no more
 * than once a second, until it succeeds or the spool closes. The records wait for it; none is
 * answered as kept before it is written.
 */
const WRITE_RETRY: ExponentialBackoff = { initialMs: 20, maxMs: 1_000, multiplier: 2, jitter: 0.2 };

/** A point in the spool: a segment's sequence number and a byte offset inside it. */
export interface SpoolPosition {
  readonly segment: number;
  readonly offset: number;
}

/** Records read from the head of the spool; they stay there until `commit(end)`. */
export interface SpoolBatch {
  readonly records: EncodedAuditRecord[];
  readonly end: SpoolPosition;
}

export interface DiskSpoolOptions {
  readonly dir: string;
  /** Bound on the bytes of all segment files together. */
  readonly maxBytes: number;
  /** A segment is closed and a new one started once it holds this many bytes. */
  readonly segmentBytes: number;
  /**
   * Segments are opened for synchronized data writes (O_DSYNC): a write returns once its bytes are
   * on the device, so `sync(true)` needs no separate flush. One system call, and one trip to the
   * thread pool, per group commit instead of two (a write, then fdatasync); the bytes on the device
   * are the same. Off by default, and where the platform has no O_DSYNC: `sync(true)` then writes
   * and calls fdatasync.
   */
  readonly synchronizedWrites?: boolean;
  readonly logger: Logger;
}

interface Segment {
  readonly seq: number;
  /** Bytes, staged ones included. */
  size: number;
}

/** Frames staged for one file, to be written at `position` (contiguous appends share a run). */
interface StagedFrames {
  readonly fd: number;
  readonly position: number;
  readonly chunks: Buffer[];
  length: number;
  /** Records in `chunks`, to say how many a write that never succeeds leaves unwritten. */
  records: number;
}

/**
 * The audit trail's local disk spool: append-only segment files of length-prefixed, checksummed
 * records (see `spool-frame.ts`) plus a cursor file naming how far Kafka has acknowledged.
 *
 * `append` only stages the records' frames (and reserves their place and their bytes); `sync`
 * writes everything staged (the page cache survives the death of the process) and, when asked,
 * has it on the device (which survives the machine's): with synchronized writes the write itself
 * does that, else an fdatasync after it. All file writes, flushes and closes run
 * one after the other off the main thread, so a request never blocks on the disk, and one `sync`
 * serves every append made before it (group commit, see `GroupCommit`).
 *
 * A write that fails (a full disk, an I/O error) is tried again at the same place until it succeeds
 * and `sync` waits for it, so nothing is reported on disk that is not; meanwhile `append` refuses
 * (`writeError` says why), and the callers decide by their fail posture. Only `close` ends the
 * retries, and it logs the records it leaves unwritten.
 *
 * Reads are in append order; a segment is deleted once full and read past, so disk use shrinks as
 * the spool drains. On open, a torn tail left by a crash is cut off after the last good record.
 * Delivery from the spool is at least once: the cursor is persisted a little after each commit,
 * so a crash re-sends the batches acknowledged since (records carry unique ids).
 */
export class DiskSpool {
  private segments: Segment[] = [];
  private cursor: SpoolPosition;
  private tailFd: number | undefined;
  /** Frames appended but not yet written, each at its place in its segment's file. */
  private staged: StagedFrames[] = [];
  /** The serial chain of file operations: writes, flushes and closes never overlap. */
  private io: Promise<void> = Promise.resolve();
  private cursorTimer: NodeJS.Timeout | undefined;
  /** The cursor writes in flight, one after the other. */
  private cursorWrites: Promise<void> = Promise.resolve();
  /** Deletions of segments read past, one after the other, off the event loop's thread; close waits for them. */
  private removals: Promise<void> = Promise.resolve();
  /** A write failed and has not succeeded since: appends are refused until it does. */
  private failingWrites = false;
  /** The last attempt to start a segment failed: appends are refused, and each one tries again. */
  private cannotStart = false;
  /** What the last failed write or segment start said, while the spool cannot write. */
  private lastWriteError = "";
  private closing = false;
  /** Ends the pause between two attempts of a failed write (close does, so that it need not wait). */
  private wakeRetry: (() => void) | undefined;
  private totalBytes = 0;
  /** Segments are opened with O_DSYNC: asked for, and the platform has it (Node leaves it undefined where it does not). */
  private readonly synchronizedWrites: boolean;
  private unread = 0;
  private nextSeq: number;

  private constructor(private readonly options: DiskSpoolOptions, segments: Segment[], cursor: SpoolPosition, unread: number) {
    this.segments = segments;
    this.cursor = cursor;
    this.unread = unread;
    this.totalBytes = segments.reduce((sum, s) => sum + s.size, 0);
    this.nextSeq = Math.max(cursor.segment, ...segments.map((s) => s.seq)) + 1;
    this.synchronizedWrites = options.synchronizedWrites === true && typeof fs.constants.O_DSYNC === "number";
  }

  /** Opens (or creates) the spool in `dir`, validating what a previous process left there. */
  static async open(options: DiskSpoolOptions): Promise<DiskSpool> {
    await fs.promises.mkdir(options.dir, { recursive: true });
    const log = options.logger;
    const saved = await readCursor(path.join(options.dir, CURSOR_FILE));
    const names = (await fs.promises.readdir(options.dir)).filter((n) => SEGMENT_NAME.test(n)).sort();
    const segments: Segment[] = [];
    let unread = 0;
    let cursor: SpoolPosition | undefined;
    for (const name of names) {
      const seq = Number(SEGMENT_NAME.exec(name)?.[1]);
      const file = path.join(options.dir, name);
      if (saved !== undefined && seq < saved.segment) {
        await fs.promises.rm(file, { force: true });
        continue;
      }
      const bytes = await fs.promises.readFile(file);
      if (bytes.length < SEGMENT_MAGIC.length || !bytes.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
        if (bytes.length === 0 || SEGMENT_MAGIC.subarray(0, bytes.length).equals(bytes)) {
          await fs.promises.rm(file, { force: true }); // torn before its first record: nothing to keep
          continue;
        }
        log.error({ file }, "audit spool segment is not a flowzone spool file; moved aside, not read");
        await fs.promises.rename(file, `${file}.bad`);
        continue;
      }
      const start = saved !== undefined && seq === saved.segment ? Math.min(Math.max(saved.offset, SEGMENT_MAGIC.length), bytes.length) : SEGMENT_MAGIC.length;
      const decoded = decodeFrames(bytes.subarray(start));
      const goodEnd = start + decoded.endOffset;
      if (decoded.stop !== "end") {
        const lostBytes = bytes.length - goodEnd;
        if (decoded.stop === "incomplete") log.warn({ file, lostBytes }, "audit spool segment had a torn tail (a crash mid-write); kept every complete record before it");
        else log.error({ file, lostBytes }, "audit spool segment is corrupt after its last good record; kept every record before it");
        await fs.promises.truncate(file, goodEnd);
      }
      segments.push({ seq, size: goodEnd });
      unread += decoded.records.length;
      cursor ??= { segment: seq, offset: start };
    }
    const spool = new DiskSpool(options, segments, cursor ?? { segment: saved?.segment ?? 0, offset: SEGMENT_MAGIC.length }, unread);
    spool.normalize();
    if (unread > 0) log.info({ records: unread, bytes: spool.bytes }, "audit spool holds records from a previous run; draining them first");
    return spool;
  }

  /** Bytes of the records not yet committed (the files on disk, which `maxBytes` bounds, may hold a read part as well). */
  get bytes(): number {
    const head = this.segments[0];
    return head !== undefined && head.seq === this.cursor.segment ? this.totalBytes - this.cursor.offset : this.totalBytes;
  }

  /**
   * While the spool cannot write (a write failed and has not succeeded since, or no segment could
   * be started), what the failure said; undefined while it can. `append` refuses meanwhile, so a
   * refusal is "unwritable" rather than "full".
   */
  get writeError(): string | undefined {
    return this.failingWrites || this.cannotStart ? this.lastWriteError : undefined;
  }

  /** Records spooled and not yet committed. */
  get records(): number {
    return this.unread;
  }

  /** Bytes `records` would take if appended now (frames, plus a new segment's header if one is needed). */
  bytesNeeded(records: readonly EncodedAuditRecord[]): number {
    return records.reduce((sum, r) => sum + frameBytes(r), 0) + (this.needsNewSegment() ? SEGMENT_MAGIC.length : 0);
  }

  /**
   * Stages all records, or none of them when they would exceed `maxBytes`, while a failed write
   * waits to be tried again, or when no segment can be started (`writeError` tells those apart).
   * Returns the position just after them, or undefined when nothing was kept. They are
   * on disk once a later `sync` resolves.
   */
  append(records: readonly EncodedAuditRecord[]): SpoolPosition | undefined {
    if (records.length === 0 || this.failingWrites) return undefined;
    if (this.totalBytes + this.bytesNeeded(records) > this.options.maxBytes) return undefined;
    const tail = this.openTail();
    if (tail === undefined) return undefined;
    const [segment, fd] = tail;
    const frames = encodeFrames(records);
    const last = this.staged.at(-1);
    if (last !== undefined && last.fd === fd && last.position + last.length === segment.size) {
      last.chunks.push(frames);
      last.length += frames.length;
      last.records += records.length;
    } else {
      this.staged.push({ fd, position: segment.size, chunks: [frames], length: frames.length, records: records.length });
    }
    segment.size += frames.length;
    this.totalBytes += frames.length;
    this.unread += records.length;
    return { segment: segment.seq, offset: segment.size };
  }

  /** Reads up to `maxRecords` from the head, in order; undefined when nothing is unread. */
  async readBatch(maxRecords: number): Promise<SpoolBatch | undefined> {
    await this.enqueue(() => this.writeStaged());
    const first = this.segments[0];
    // A full tail read to its end stays until the next commit; step past it to the segment after.
    if (first !== undefined && this.segments.length > 1 && this.cursor.segment === first.seq && this.cursor.offset >= first.size) this.normalize();
    const head = this.segments[0];
    if (head === undefined || this.cursor.offset >= head.size) {
      this.unread = 0; // nothing left to read, whatever the count said
      return undefined;
    }
    const { offset } = this.cursor;
    const file = await fs.promises.open(this.segmentPath(head.seq), "r");
    try {
      let length = Math.min(head.size - offset, READ_CHUNK_BYTES);
      let buffer = await readAt(file, offset, length);
      let decoded = decodeFrames(buffer, maxRecords);
      if (decoded.records.length === 0 && decoded.stop === "incomplete" && buffer.length >= FRAME_HEADER_BYTES) {
        length = Math.min(head.size - offset, FRAME_HEADER_BYTES + Math.min(buffer.readUInt32BE(0), MAX_FRAME_BODY_BYTES));
        buffer = await readAt(file, offset, length);
        decoded = decodeFrames(buffer, maxRecords);
      }
      if (decoded.records.length === 0) {
        throw new Error(`audit spool segment ${this.segmentPath(head.seq)} is unreadable at offset ${offset} (${decoded.stop})`);
      }
      return { records: decoded.records, end: { segment: head.seq, offset: offset + decoded.endOffset } };
    } finally {
      await file.close();
    }
  }

  /** Marks everything before `end` as delivered: deletes read segments, and persists the cursor soon after. */
  commit(end: SpoolPosition, records: number): void {
    this.cursor = end;
    this.unread = Math.max(0, this.unread - records);
    this.normalize();
  }

  /**
   * Writes every record appended so far and, with `device`, flushes it to the device. Resolves
   * once done, trying a failed write again until it succeeds; never rejects. Only `close` makes it
   * resolve with records unwritten (and logs how many).
   */
  sync(device: boolean): Promise<void> {
    return this.enqueue(async () => {
      const written = await this.writeStaged();
      if (!device || this.synchronizedWrites) return;
      await Promise.all([...written].map((fd) => this.fdatasync(fd)));
    });
  }

  /** Writes, flushes and closes the tail and persists the cursor; the spool stays on disk for the next process. */
  async close(): Promise<void> {
    this.closing = true;
    this.wakeRetry?.();
    this.closeTail();
    await this.io;
    await this.removals;
    clearTimeout(this.cursorTimer);
    await this.cursorWrites;
    await this.writeCursor();
  }

  private needsNewSegment(): boolean {
    const tail = this.segments.at(-1);
    return this.tailFd === undefined || tail === undefined || tail.size >= this.options.segmentBytes;
  }

  private openTail(): [Segment, number] | undefined {
    const tail = this.segments.at(-1);
    if (!this.needsNewSegment() && tail !== undefined && this.tailFd !== undefined) return [tail, this.tailFd];
    this.closeTail();
    const seq = this.nextSeq;
    const file = this.segmentPath(seq);
    try {
      const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fs.constants;
      const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | (this.synchronizedWrites ? O_DSYNC : 0));
      // Written with the segment's first records, off the event loop's thread: with synchronized
      // writes a write here would wait for the device.
      this.staged.push({ fd, position: 0, chunks: [SEGMENT_MAGIC], length: SEGMENT_MAGIC.length, records: 0 });
      this.nextSeq += 1;
      const segment = { seq, size: SEGMENT_MAGIC.length };
      if (this.segments.length === 0) this.cursor = { segment: seq, offset: SEGMENT_MAGIC.length };
      this.segments.push(segment);
      this.totalBytes += segment.size;
      this.tailFd = fd;
      this.cannotStart = false;
      return [segment, fd];
    } catch (error) {
      if (!this.cannotStart) this.options.logger.error({ err: error, file }, "audit spool cannot start a segment; records are refused until it can");
      this.cannotStart = true;
      this.lastWriteError = errorMessage(error);
      return undefined;
    }
  }

  /** Closes the tail once what is staged for it is written and flushed (in the chain of file operations). */
  private closeTail(): void {
    const fd = this.tailFd;
    if (fd === undefined) return;
    this.tailFd = undefined;
    void this.enqueue(async () => {
      await this.writeStaged();
      await this.fdatasync(fd);
      await new Promise<void>((resolve) => {
        fs.close(fd, () => {
          resolve();
        });
      });
    });
  }

  private enqueue(operation: () => Promise<unknown>): Promise<void> {
    const done = this.io.then(operation).then(() => undefined);
    this.io = done.catch(() => undefined); // operations report their own failures; one must not stop the chain
    return done;
  }

  /**
   * Writes what is staged, each run of frames at its place, and returns the files written to. A
   * failed run is written again at the same place (with what was staged meanwhile) after a pause,
   * until it succeeds; the chain of file operations waits for it. Once the spool is closing, the
   * records still unwritten are logged and left.
   */
  private async writeStaged(): Promise<Set<number>> {
    const written = new Set<number>();
    for (let attempt = 1; ; attempt += 1) {
      if (await this.writeStagedOnce(written)) return written;
      if (this.closing) {
        const records = this.staged.reduce((sum, run) => sum + run.records, 0);
        this.options.logger.error({ records, bytes: this.staged.reduce((sum, run) => sum + run.length, 0) }, "audit spool closes with records it could not write; they are not on disk (those Kafka acknowledged are kept there)");
        this.staged = [];
        return written;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffDelayMs(WRITE_RETRY, attempt));
        this.wakeRetry = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeRetry = undefined;
    }
  }

  /** One attempt of {@link writeStaged}: true once nothing is left staged; a failed run stays staged, with the runs after it. */
  private async writeStagedOnce(written: Set<number>): Promise<boolean> {
    const runs = this.staged;
    this.staged = [];
    for (const [index, run] of runs.entries()) {
      try {
        await writeAt(run.fd, run.chunks.length === 1 ? (run.chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(run.chunks, run.length), run.position);
        written.add(run.fd);
      } catch (error) {
        if (!this.failingWrites) this.options.logger.error({ err: error, bytes: run.length }, "audit spool cannot write; the write is tried again until it succeeds, answers wait for it, and new records are refused meanwhile");
        this.failingWrites = true;
        this.lastWriteError = errorMessage(error);
        this.staged = [...runs.slice(index), ...this.staged];
        return false;
      }
    }
    if (this.failingWrites) this.options.logger.info("audit spool writes again");
    this.failingWrites = false;
    return true;
  }

  private fdatasync(fd: number): Promise<void> {
    return new Promise((resolve) => {
      fs.fdatasync(fd, (error) => {
        if (error !== null) this.options.logger.error({ err: error }, "audit spool flush to the device failed");
        resolve();
      });
    });
  }

  /**
   * Drops segments read past and persists the cursor. An open tail read to its end stays, and
   * appends go on in it: every record passes through the spool, so deleting and creating a file
   * at every delivered batch would cost more than the bytes it frees; it goes once it is full.
   */
  private normalize(): void {
    for (;;) {
      const head = this.segments[0];
      if (head === undefined) break;
      const readPast = head.seq < this.cursor.segment || (head.seq === this.cursor.segment && this.cursor.offset >= head.size);
      if (!readPast) break;
      if (this.segments.length === 1) {
        if (this.tailFd !== undefined && head.size < this.options.segmentBytes) break;
        this.closeTail(); // the head is a full tail: appends start a new segment
      }
      this.removeSoon(this.segmentPath(head.seq));
      this.segments.shift();
      this.totalBytes -= head.size;
      const next = this.segments[0];
      this.cursor = next === undefined ? { segment: this.nextSeq, offset: SEGMENT_MAGIC.length } : { segment: next.seq, offset: Math.max(this.cursor.segment === next.seq ? this.cursor.offset : 0, SEGMENT_MAGIC.length) };
    }
    if (this.segments.length === 0) this.unread = 0;
    this.persistCursorSoon();
  }

  /**
   * Deletes a segment read past, off the event loop's thread: unlinking a full segment (16 MiB by
   * default) held the thread for milliseconds, and every answer waiting behind it. Segment numbers
   * are never reused, so no new record goes to the file; a tail closed just before may still be
   * written and closed in the chain of file operations, which an unlinked file allows. A file that
   * cannot be deleted is logged and left: the next process deletes it if the persisted cursor is
   * past it, and sends its records again otherwise (duplicates, never a loss).
   */
  private removeSoon(file: string): void {
    this.removals = this.removals
      .then(() => fs.promises.rm(file, { force: true }))
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error, file }, "audit spool cannot delete a segment it has delivered");
      });
  }

  /** Persists the cursor within `CURSOR_PERSIST_MS`: once per interval, not once per delivered batch. */
  private persistCursorSoon(): void {
    if (this.cursorTimer !== undefined) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = undefined;
      this.cursorWrites = this.cursorWrites.then(() => this.writeCursor());
    }, CURSOR_PERSIST_MS);
    this.cursorTimer.unref();
  }

  /**
   * Writes the cursor as it is now, off the event loop's thread (a synchronous write and rename
   * held up every answer behind them). Never rejects: a failure is logged, and the cursor is
   * written again after the next delivered batch (until then a restart sends more again).
   */
  private async writeCursor(): Promise<void> {
    const file = path.join(this.options.dir, CURSOR_FILE);
    try {
      if (this.segments.length === 0) {
        await fs.promises.rm(file, { force: true });
        return;
      }
      await fs.promises.writeFile(`${file}.tmp`, JSON.stringify(this.cursor));
      await fs.promises.rename(`${file}.tmp`, file);
    } catch (error) {
      this.options.logger.error({ err: error }, "audit spool cannot persist its cursor; a restart would send the batches after the last persisted one again");
    }
  }

  private segmentPath(seq: number): string {
    return path.join(this.options.dir, `${String(seq).padStart(20, "0")}.seg`);
  }
}

async function writeAt(fd: number, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await new Promise<number>((resolve, reject) => {
      fs.write(fd, bytes, written, bytes.length - written, position + written, (error, count) => {
        if (error !== null) reject(error);
        else resolve(count);
      });
    });
  }
}

async function readAt(file: fs.promises.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await file.read(buffer, read, length - read, position + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return buffer.subarray(0, read);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readCursor(file: string): Promise<SpoolPosition | undefined> {
  try {
    const parsed = JSON.parse(await fs.promises.readFile(file, "utf8")) as Partial<SpoolPosition>;
    if (Number.isSafeInteger(parsed.segment) && Number.isSafeInteger(parsed.offset)) return parsed as SpoolPosition;
    return undefined;
  } catch {
    return undefined;
  }
}
