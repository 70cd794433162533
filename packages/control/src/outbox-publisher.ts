import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";

import { isUnsendable } from "@flowzone/audit";
import { backoffDelayMs, type ExponentialBackoff } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import { METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";

import type { Clock } from "./clock";
import type { Database } from "./database";
import { claimDrainLease, lastPendingId, markPublished, markSetAside, pendingRecords, pendingUpTo, releaseDrainLease, type PendingRecord } from "./outbox-store";
import type { RecordSender } from "./record-sender";

/** Options for {@link OutboxPublisher}. */
export interface OutboxPublisherOptions {
  readonly database: Database;
  readonly sender: RecordSender;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Where records set aside are counted ({@link METRIC_NAMES.outboxSetAside}, by target). */
  readonly telemetry?: Telemetry | undefined;
}

/** Records read and published per round. */
const BATCH_RECORDS = 500;
/** How long a drain may hold the outbox before another replica may take it over. */
const LEASE_MS = 60_000;
/** The loop's pause while all goes well: a change committed by another replica is published within it. */
const POLL_MS = 1_000;
/**
 * How long a replica that does not publish looks for the leader to publish what it committed, and
 * how often. The answer to a change waits less (the service's own bound); this only ends the looking.
 */
const LEADER_WAIT_MS = 10_000;
const LEADER_WAIT_POLL_MS = 100;
/** Backoff after a failed drain (Kafka or PostgreSQL away): doubling from the first to the cap, with jitter. */
const OUTBOX_BACKOFF: ExponentialBackoff = { initialMs: 500, maxMs: 15_000, multiplier: 2, jitter: 0.2 };

/**
 * Publishes the outbox: the control and audit records each change stored with itself, in commit
 * order, each batch marked published once Kafka acknowledged it. A crash between the commit and
 * the acknowledgement leaves the records unpublished, and the next drain (this process's loop, or
 * the next process at start) sends them again with the same keys, bytes and record ids: followers
 * apply a control record by its epoch and the backlog counts an audit record once by its id.
 * Only a started publisher drains, and only the leading replica starts its own (leadership.ts):
 * on another replica a change stays in the outbox for the leader to send. One drain at a time per
 * process, and one process at a time per store (a lease row, the fence for the moment two
 * replicas both believe they lead), so records never overtake each other. A record Kafka refuses for itself (too large for its topic, invalid)
 * can never be published: it is set aside (kept in the table, marked, logged and counted) so it
 * does not hold up every record behind it.
 */
export class OutboxPublisher {
  private readonly log: Logger;
  private readonly holder = randomUUID();
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private running = false;
  private readonly setAsideCounter: ReturnType<Telemetry["meter"]["createCounter"]> | undefined;

  constructor(private readonly options: OutboxPublisherOptions) {
    this.log = options.logger.child({ component: "outbox" });
    this.setAsideCounter = options.telemetry?.meter.createCounter(METRIC_NAMES.outboxSetAside, {
      description: "Outbox records Kafka refused (too large, invalid): set aside in the outbox table, never published.",
    });
  }

  /**
   * Publishes everything committed before the call; resolves with how many records this drain
   * sent (0 when another replica holds the outbox) and rejects when Kafka or the store failed.
   * A publisher not started (a follower's) sends nothing: it waits until the leader has published
   * what was committed before the call (looking for at most {@link LEADER_WAIT_MS}), and resolves with 0.
   */
  drain(): Promise<number> {
    if (!this.running) return this.publishedByLeader().then(() => 0);
    const run = this.tail.catch(() => undefined).then(() => this.drainOnce());
    this.tail = run;
    return run;
  }

  /** Drains every {@link POLL_MS}, backing off while Kafka or the store is away; may follow a {@link stop}. */
  start(): void {
    this.running = true;
    this.failures = 0;
    this.schedule(POLL_MS);
  }

  /** Stops the loop and waits for the drain in hand; the lease is given up. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.tail.catch(() => undefined);
    await releaseDrainLease(this.options.database, this.holder).catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.drain().then(
        () => {
          if (this.failures > 0) this.log.info({ failures: this.failures }, "outbox publishing again");
          this.failures = 0;
          this.schedule(POLL_MS);
        },
        (error: unknown) => {
          this.failures += 1;
          const delay = backoffDelayMs(OUTBOX_BACKOFF, this.failures);
          this.log.warn({ err: error, failures: this.failures, retryInMs: delay }, "outbox not published; committed changes reach Kafka when it works again");
          this.schedule(delay);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  private async publishedByLeader(): Promise<void> {
    const last = await lastPendingId(this.options.database);
    if (last === undefined) return;
    const deadline = Date.now() + LEADER_WAIT_MS;
    while ((await pendingUpTo(this.options.database, last)) && Date.now() < deadline) await delay(LEADER_WAIT_POLL_MS);
  }

  private async drainOnce(): Promise<number> {
    const { database: db } = this.options;
    if (!this.running || (await pendingRecords(db, 1)).length === 0) return 0;
    if (!(await claimDrainLease(db, this.holder, LEASE_MS))) return 0;
    let published = 0;
    try {
      for (;;) {
        const batch = await pendingRecords(db, BATCH_RECORDS);
        if (batch.length === 0) return published;
        for (const run of runsByTarget(batch)) published += await this.publishRun(run);
        if (!(await claimDrainLease(db, this.holder, LEASE_MS))) return published;
      }
    } finally {
      await releaseDrainLease(db, this.holder).catch(() => undefined);
    }
  }

  /** Sends one run; when Kafka refuses it as a whole, its records one by one. Resolves with how many were published. */
  private async publishRun(run: [PendingRecord, ...PendingRecord[]]): Promise<number> {
    try {
      await this.options.sender.send(run[0].target, run);
    } catch (error) {
      if (!isUnsendable(error)) throw error;
      if (run.length === 1) {
        await this.setAside(run[0], error);
        return 0;
      }
      this.log.warn({ err: error, records: run.length, target: run[0].target }, "Kafka refuses an outbox batch itself; sending its records one by one to set aside the ones it refuses");
      let published = 0;
      for (const record of run) published += await this.publishRun([record]);
      return published;
    }
    await markPublished(this.options.database, run.map((record) => record.id), this.options.clock.now());
    return run.length;
  }

  private async setAside(record: PendingRecord, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    await markSetAside(this.options.database, record.id, reason, this.options.clock.now());
    this.setAsideCounter?.add(1, { target: record.target });
    this.log.error(
      { id: record.id, target: record.target, key: record.key, bytes: record.value?.length ?? 0, reason },
      "outbox record set aside: Kafka refuses it, so it stays unpublished in the outbox table (set_aside_at) and the records behind it flow on",
    );
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
