import { createHash } from "node:crypto";
import type { SourceFile } from "@flowzone/engine";
import { readBundleDir } from "./read-bundle-dir";

export interface WatchBundleDirOptions {
  /** Pause between the end of one poll and the start of the next. */
  readonly intervalMs: number;
  /**
   * The files the caller already loaded. Changes are detected against them, so an edit made
   * between the caller's read and the watcher's start is not missed. Without it, the first
   * successful poll is the baseline.
   */
  readonly initial?: readonly SourceFile[];
  /** Called with the whole new bundle when its content changed; awaited before the next poll. */
  readonly onChange: (files: SourceFile[]) => void | Promise<void>;
  /** Called once per run of identical errors (a vanished directory is not reported every poll). */
  readonly onError: (error: unknown) => void;
  /**
   * Called after each poll, its `onChange` or `onError` done; never after `close()`. Lets a caller
   * (a test) know that the directory was looked at since an edit, and not merely that time passed.
   * It must not throw.
   */
  readonly onPoll?: (() => void) | undefined;
}

export interface BundleWatcher {
  /** Stops polling; no callback runs after it returns. */
  close(): void;
}

/**
 * Watches a bundle directory by polling its content. Polling is deliberate: recursive `fs.watch`
 * misses events on Linux in Node 20 and mtimes can be coarser than an editor's save. Comparing a
 * hash of the content means touching a file, or saving it unchanged, never triggers a reload.
 *
 * A change is reported once two polls in a row read the same new content. A save that rewrites a
 * file in place truncates it first; a poll between the truncation and the write read an empty
 * file, which parses as a bundle without the file's zones, and was put in force for one interval.
 * Waiting for the content to settle costs one interval of reload latency.
 *
 * Polls never overlap; the timer does not keep the process alive.
 */
export function watchBundleDir(dir: string, options: WatchBundleDirOptions): BundleWatcher {
  let fingerprint = options.initial === undefined ? undefined : fingerprintOf(options.initial);
  /** New content read by the last poll, reported if the next poll reads it again. */
  let unsettled: string | undefined;
  let lastError: string | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // A function, so the compiler does not narrow `closed` across awaits (close() may run meanwhile).
  const isClosed = (): boolean => closed;

  const poll = async (): Promise<void> => {
    let files: SourceFile[];
    try {
      files = await readBundleDir(dir);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!isClosed() && message !== lastError) {
        lastError = message;
        options.onError(error);
      }
      return;
    }
    lastError = undefined;
    const next = fingerprintOf(files);
    if (isClosed()) return;
    if (fingerprint === undefined) {
      fingerprint = next;
      return;
    }
    const settled = next === unsettled;
    unsettled = next === fingerprint || settled ? undefined : next;
    if (!settled) return;
    fingerprint = next;
    try {
      await options.onChange(files);
    } catch (error) {
      if (!isClosed()) options.onError(error);
    }
  };

  const schedule = (): void => {
    if (isClosed()) return;
    timer = setTimeout(() => {
      void poll().finally(() => {
        if (!isClosed()) options.onPoll?.();
        schedule();
      });
    }, options.intervalMs);
    timer.unref();
  };

  schedule();
  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** A digest of paths and contents; any edit, addition, removal or rename changes it. */
export function fingerprintOf(files: readonly SourceFile[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file.path).update("\0").update(file.content).update("\0");
  }
  return hash.digest("hex");
}
