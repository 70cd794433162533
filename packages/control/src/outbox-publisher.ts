import { randomUUID } from "node:crypto";

import type { Logger } from "@flowzone/logging";

import type { Clock } from "./clock";
import type { Database } from "./database";
import { claimDrainLease, markPublished, pendingRecords, releaseDrainLease, type PendingRecord } from "./outbox-store";
import type { RecordSender } from "./record-sender";

/** Options for {@link OutboxPublisher}. */
export interface OutboxPublisherOptions {
  readonly database: Database;
  readonly sender: RecordSender;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** Records read and published per round. */
const BATCH_RECORDS = 500;
/** How long a drain may hold the outbox before another replica may take it over. */
const LEASE_MS = 60_000;
/** The loop's pause while all goes well: a change committed by another replica is published within it. */
const POLL_MS = 1_000;
/** Backoff after a failed drain (Kafka or PostgreSQL away): doubling from the first to the cap, with jitter. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15_000;
const BACKOFF_JITTER = 0.2;

/**
 * Publishes the outbox: the control and audit records each change stored with itself, in commit
 * order, each batch marked published once Kafka acknowledged it. A crash between the commit and
 * the acknowledgement leaves the records unpublished, and the next drain (this process's loop, or
 * the next process at start) sends them again with the same keys, bytes and record ids: followers
 * apply a control record by its epoch and the backlog counts an audit record once by its id.
 * One drain at a time per process, and one process at a time per store (a lease row), so records
 * never overtake each other.
 */
export class OutboxPublisher {
  private readonly log: Logger;
  private readonly holder = randomUUID();
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: OutboxPublisherOptions) {
    this.log = options.logger.child({ component: "outbox" });
  }

  /**
   * Publishes everything committed before the call; resolves with how many records this drain
   * sent (0 when another replica holds the outbox) and rejects when Kafka or the store failed.
   */
  drain(): Promise<number> {
    const run = this.tail.catch(() => undefined).then(() => this.drainOnce());
    this.tail = run;
    return run;
  }

  /** Drains every {@link POLL_MS}, backing off while Kafka or the store is away. */
  start(): void {
    this.schedule(POLL_MS);
  }

  /** Stops the loop and waits for the drain in hand; the lease is given up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tail.catch(() => undefined);
    await releaseDrainLease(this.options.database, this.holder).catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.drain().then(
        () => {
          if (this.failures > 0) this.log.info({ failures: this.failures }, "outbox publishing again");
          this.failures = 0;
          this.schedule(POLL_MS);
        },
        (error: unknown) => {
          this.failures += 1;
          const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.failures - 1));
          const delay = Math.round(backoff * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * Math.random()));
          this.log.warn({ err: error, failures: this.failures, retryInMs: delay }, "outbox not published; committed changes reach Kafka when it works again");
          this.schedule(delay);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  private async drainOnce(): Promise<number> {
    const { database: db } = this.options;
    if ((await pendingRecords(db, 1)).length === 0) return 0;
    if (!(await claimDrainLease(db, this.holder, LEASE_MS))) return 0;
    let published = 0;
    try {
      for (;;) {
        const batch = await pendingRecords(db, BATCH_RECORDS);
        if (batch.length === 0) return published;
        for (const run of runsByTarget(batch)) {
          await this.options.sender.send(run[0].target, run);
          await markPublished(db, run.map((record) => record.id), this.options.clock.now());
          published += run.length;
        }
        if (!(await claimDrainLease(db, this.holder, LEASE_MS))) return published;
      }
    } finally {
      await releaseDrainLease(db, this.holder).catch(() => undefined);
    }
  }
}

/** Consecutive records of one target, so each Kafka send keeps the outbox's order. */
function runsByTarget(records: readonly PendingRecord[]): [PendingRecord, ...PendingRecord[]][] {
  const runs: [PendingRecord, ...PendingRecord[]][] = [];
  for (const record of records) {
    const last = runs.at(-1);
    if (last !== undefined && last[0].target === record.target) last.push(record);
    else runs.push([record]);
  }
  return runs;
}
