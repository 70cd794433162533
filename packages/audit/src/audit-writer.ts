import { PartitionedSender, backoffDelayMs } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

import type { EncodedAuditRecord } from "./audit-record";
import { resolveAuditWriterOptions, type AuditWriterOptions, type KafkaClient, type ResolvedAuditWriterOptions } from "./audit-writer-options";
import { DeadLetters } from "./dead-letters";
import { DiskSpool, type SpoolPosition } from "./disk-spool";
import { GroupCommit } from "./group-commit";
import {
  AUDIT_BACKOFF,
  isRetriable,
  NON_RETRIABLE_PROBE_MS,
  PRODUCER_INITIAL_RETRY_MS,
  PRODUCER_MAX_RETRY_MS,
  PRODUCER_RETRIES,
} from "./retry-policy";
import { SpoolCache } from "./spool-cache";
import { isUnsendable } from "./unsendable";

/**
 * What became of an offer. `accepted: true` means the spool has taken the records, and `durable`
 * resolves once they are written to it and flushed to the device (group commit): answer the
 * caller after it. `accepted: false` means the
 * records were not kept (the spool is full or unwritable, or the writer is closed): the caller
 * applies the zone's fail posture (deny when closed, allow when open), and the writer has counted
 * them in `stats().dropped`.
 */
export type OfferResult = { readonly accepted: true; readonly durable: Promise<void> } | { readonly accepted: false; readonly reason: OfferRefusal };

/** Why an offer was refused: the spool has no room, cannot write (a failed write waits to be tried again), or the writer is closed. */
export type OfferRefusal = "spool_full" | "spool_unwritable" | "closed";

/** Each refusal as the answers that apply a fail posture say it: "the audit trail cannot keep this record (…)". */
export const OFFER_REFUSALS: Readonly<Record<OfferRefusal, string>> = {
  spool_full: "its spool is full",
  spool_unwritable: "its spool cannot be written",
  closed: "it is shutting down",
};

/** Counters for metrics and health checks. */
export interface AuditWriterStats {
  /** Records waiting to be sent that are also held in memory (the rest are read back from the spool); 0 once closed. */
  readonly queued: number;
  /** Bytes of the records waiting in the spool. */
  readonly spooledBytes: number;
  /** Records written ahead to the spool and not yet acknowledged by Kafka. */
  readonly spooledRecords: number;
  /** Records Kafka acknowledged. */
  readonly sent: number;
  /** Records Kafka refused (too large, invalid), set aside in the dead-letter file beside the spool. */
  readonly setAside: number;
  /** Records refused by `offer`. */
  readonly dropped: number;
  readonly droppedByZone: Readonly<Record<string, number>>;
  /** True while Kafka is unreachable; records wait in the spool meanwhile. */
  readonly degraded: boolean;
  /** The last send error's message, for a health page; never a payload. */
  readonly lastError: string | undefined;
  /** While the spool cannot write, what the failure said (offers are refused meanwhile); undefined while it can. */
  readonly spoolError: string | undefined;
}

/**
 * A batch being sent: the spool's next records, and where the spool's cursor goes once Kafka has
 * them. Once Kafka refused the batch as a whole (too large, invalid), it goes `oneByOne`, and
 * `done` counts its records already handled (sent, or set aside as dead letters): a retry after
 * an outage sends only the rest.
 */
interface Pending {
  readonly records: EncodedAuditRecord[];
  readonly end: SpoolPosition;
  oneByOne: boolean;
  done: number;
}

interface Waiter {
  readonly minWaiting: number;
  readonly wake: () => void;
}

const ALREADY: Promise<void> = Promise.resolve();
/** At most one "records dropped" error line per zone set this often; counts are summed meanwhile. */
const DROP_LOG_INTERVAL_MS = 1_000;
/** A send unanswered this long counts as an outage (degraded), until Kafka answers. */
const SEND_STALL_MS = 2_000;
/** How often `close` checks whether everything was delivered. */
const CLOSE_POLL_MS = 10;

type Producer = ReturnType<KafkaClient["producer"]>;

/**
 * Writes audit records to Kafka, never silently losing one, and never answering before a record
 * is kept.
 *
 * `offer` is write-ahead: it stages the records in a disk spool and returns a `durable` promise
 * that one shared synchronized write (O_DSYNC) per round resolves for every offer made meanwhile (group
 * commit), so a caller answered after it has its records on the device. A background loop sends the spool's
 * records in order with an idempotent producer (acks from all in-sync replicas) and moves the
 * spool's cursor past each acknowledged batch. The newest records are held in memory too, so a
 * batch is sent without reading the disk back; while Kafka is unreachable records simply wait in
 * the spool. Only when the spool is full or cannot write does `offer` refuse, and the caller
 * decides by fail posture; a write that fails is tried again until it succeeds, and the offers it
 * carries wait for it. A spool left by a previous process (after a crash, say) is sent first on
 * start.
 */
export class AuditWriter {
  private readonly cache: SpoolCache;
  private readonly commits: GroupCommit;
  private readonly log: Logger;
  /** Spool sequence numbers: records appended (counting a previous run's unsent ones) and records Kafka has. */
  private appendedSeq: number;
  private committedSeq = 0;
  private pending: Pending | undefined;
  private waiter: Waiter | undefined;
  private readonly sleepers = new Set<() => void>();
  private connected = false;
  private degraded = false;
  private flushing = false;
  private closing = false;
  private stopped = false;
  private finalized = false;
  private failures = 0;
  private sent = 0;
  private setAside = 0;
  private dropped = 0;
  private readonly droppedByZone = new Map<string, number>();
  private droppedSinceLog = 0;
  private lastDropLogMs = 0;
  private lastError: string | undefined;
  private loop: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;
  private readonly deadLetters: DeadLetters;
  /** A batch goes out leader by leader, checked: a send spanning several leaders can lose records when a broker stops. */
  private readonly sender: PartitionedSender;

  private constructor(
    private readonly options: ResolvedAuditWriterOptions,
    private readonly spool: DiskSpool,
    private readonly producer: Producer,
  ) {
    this.sender = new PartitionedSender(options.kafka);
    this.deadLetters = new DeadLetters(options.spoolDir);
    this.cache = new SpoolCache(options.maxQueueRecords);
    this.commits = new GroupCommit(() => spool.sync(options.fsync));
    this.appendedSeq = spool.records;
    this.log = options.logger.child({ component: "audit-writer", topic: options.topic });
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  /** Validates the options, opens the spool (recovering a previous run's) and starts sending. */
  static async start(options: AuditWriterOptions): Promise<AuditWriter> {
    const resolved = resolveAuditWriterOptions(options);
    const spool = await DiskSpool.open({
      dir: resolved.spoolDir,
      maxBytes: resolved.maxSpoolBytes,
      segmentBytes: resolved.spoolSegmentBytes,
      // With the device flush on, each group commit's write is its flush.
      synchronizedWrites: resolved.fsync,
      logger: resolved.logger.child({ component: "audit-spool" }),
    });
    const producer = resolved.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // The topic is created by whoever starts the writer, with its partitions and settings; a
      // broker that auto-creates topics must not make a one-partition one first.
      allowAutoTopicCreation: false,
      // Bounded so a dead broker surfaces here; the writer retries the same batch on the same
      // producer, so the broker still de-duplicates a batch it wrote but never acknowledged.
      retry: { retries: PRODUCER_RETRIES, initialRetryTime: PRODUCER_INITIAL_RETRY_MS, maxRetryTime: PRODUCER_MAX_RETRY_MS },
    });
    const writer = new AuditWriter(resolved, spool, producer);
    writer.loop = writer.run();
    return writer;
  }

  /**
   * Writes records ahead to the spool; synchronous and cheap (the spool only stages them, the
   * disk is written off the main thread). All the records are kept or none are. Await `durable`
   * before answering whoever caused them.
   */
  offer(records: readonly EncodedAuditRecord[]): OfferResult {
    if (this.closing) return this.refuse(records, "closed");
    if (records.length === 0) return { accepted: true, durable: ALREADY };
    const end = this.spool.append(records);
    if (end === undefined) return this.refuse(records, this.spool.writeError === undefined ? "spool_full" : "spool_unwritable");
    this.cache.push({ firstSeq: this.appendedSeq, records, end });
    this.appendedSeq += records.length;
    const waiter = this.waiter;
    if (waiter !== undefined && this.waiting() >= waiter.minWaiting) waiter.wake();
    return { accepted: true, durable: this.commits.request() };
  }

  stats(): AuditWriterStats {
    return {
      queued: this.finalized ? 0 : this.cache.records + (this.pending === undefined ? 0 : this.pending.records.length - this.pending.done),
      spooledBytes: this.spool.bytes,
      spooledRecords: this.spool.records,
      sent: this.sent,
      setAside: this.setAside,
      dropped: this.dropped,
      droppedByZone: Object.fromEntries(this.droppedByZone),
      degraded: this.degraded,
      lastError: this.lastError,
      spoolError: this.spool.writeError,
    };
  }

  /**
   * Stops accepting, sends what it can within `timeoutMs`, and disconnects; what is left stays in
   * the spool for the next process. A batch still in flight at the deadline stays there as well,
   * so it may be sent twice (records carry unique ids), never lost.
   */
  close(timeoutMs: number): Promise<void> {
    this.closed ??= this.shutdown(timeoutMs);
    return this.closed;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.flushing = true;
    this.waiter?.wake();
    const deadline = Date.now() + Math.max(0, timeoutMs);
    while (Date.now() < deadline && !this.drained()) await sleepMs(Math.min(CLOSE_POLL_MS, deadline - Date.now()));
    this.stopped = true;
    this.waiter?.wake();
    for (const wake of this.sleepers) wake();
    this.finalized = true;
    await this.spool.close();
    await settledWithin(this.loop, deadline - Date.now());
    await this.producer.disconnect().catch((error: unknown) => {
      this.log.warn({ err: error }, "audit producer did not disconnect cleanly");
    });
    await this.sender.close().catch(() => undefined);
    const { sent, spooledRecords, dropped } = this.stats();
    this.log.info({ sent, spooledRecords, dropped }, "audit writer closed");
  }

  /** Records offered (or left by a previous run) that Kafka does not have yet. */
  private waiting(): number {
    return this.appendedSeq - this.committedSeq;
  }

  private drained(): boolean {
    return this.pending === undefined && this.waiting() === 0;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const pending = (this.pending ??= await this.nextBatch());
        // Checked again: close may have stopped the loop while it waited for the batch.
        if (pending !== undefined && !this.isStopped()) await this.sendPending(pending);
      } catch (error) {
        this.lastError = errorMessage(error);
        this.log.error({ err: error }, "audit writer loop failed; retrying after a pause");
        await this.sleep(NON_RETRIABLE_PROBE_MS);
      }
    }
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  /**
   * The spool's next records: from memory when it holds them, else read back from the disk up to
   * the first record memory holds (after a restart, or offers memory had no room for).
   */
  private async nextBatch(): Promise<Pending | undefined> {
    if (this.waiting() === 0) {
      await this.waitForRecords(1, Number.POSITIVE_INFINITY);
      return undefined;
    }
    this.cache.dropBefore(this.committedSeq);
    const cachedFrom = this.cache.firstSeq() ?? this.appendedSeq;
    if (cachedFrom > this.committedSeq) {
      const batch = await this.spool.readBatch(Math.min(this.options.batchMaxRecords, cachedFrom - this.committedSeq));
      return batch === undefined ? undefined : { records: batch.records, end: batch.end, oneByOne: false, done: 0 };
    }
    if (this.waiting() < this.options.batchMaxRecords && !this.flushing && this.options.lingerMs > 0) {
      await this.waitForRecords(this.options.batchMaxRecords, this.options.lingerMs);
    }
    if (this.stopped) return undefined;
    const batch = this.cache.take(this.committedSeq, this.options.batchMaxRecords);
    return batch === undefined ? undefined : { records: batch.records, end: batch.end, oneByOne: false, done: 0 };
  }

  private async sendPending(pending: Pending): Promise<void> {
    // kafkajs may take many seconds to give up on a dead broker; say so from the first stall on.
    const stall = setTimeout(() => {
      if (this.pending !== pending || this.degraded || this.finalized) return;
      this.degraded = true;
      this.log.warn({ records: pending.records.length, stalledMs: SEND_STALL_MS }, "audit trail: Kafka does not answer; records wait in the disk spool meanwhile");
    }, SEND_STALL_MS);
    try {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      if (pending.oneByOne) {
        await this.sendOneByOne(pending);
      } else {
        await this.send(pending.records);
        this.sent += pending.records.length;
      }
    } catch (error) {
      clearTimeout(stall);
      if (isUnsendable(error) && !pending.oneByOne) {
        this.log.warn({ err: error, records: pending.records.length }, "Kafka refuses an audit batch itself; sending its records one by one to set aside the ones it refuses");
        pending.oneByOne = true;
        return;
      }
      await this.onSendFailure(pending, error);
      return;
    }
    clearTimeout(stall);
    if (this.finalized) return; // closed meanwhile: the spool copy stays, to be sent again (a duplicate, not a loss)
    this.spool.commit(pending.end, pending.records.length);
    this.committedSeq += pending.records.length;
    this.pending = undefined;
    this.failures = 0;
    if (this.degraded) {
      this.degraded = false;
      this.log.info({ spooledRecords: this.spool.records }, "audit trail reaches Kafka again; sending the spool in order");
    }
  }

  private async send(records: readonly EncodedAuditRecord[]): Promise<void> {
    const messages = records.map((r) => ({ key: r.key, value: r.value }));
    await this.sender.send([{ topic: this.options.topic, messages }], (topicMessages) => this.producer.sendBatch({ topicMessages, acks: -1 }));
  }

  /**
   * Sends the rest of a refused batch a record at a time. A record Kafka refuses is appended
   * (synced) to the dead-letter file beside the spool, counted and logged by id, and the trail
   * flows on; any other failure ends the attempt, to be retried from the record it stopped at.
   */
  private async sendOneByOne(pending: Pending): Promise<void> {
    for (; pending.done < pending.records.length; pending.done += 1) {
      const record = pending.records[pending.done];
      if (record === undefined) break;
      try {
        await this.send([record]);
        this.sent += 1;
      } catch (error) {
        if (!isUnsendable(error)) throw error;
        const letter = await this.deadLetters.append(record, errorMessage(error), Date.now());
        this.setAside += 1;
        this.log.error(
          { id: letter.id, zone: letter.key, bytes: letter.bytes, reason: letter.reason, file: this.deadLetters.file },
          "audit record set aside: Kafka refuses it, so it is kept in the dead-letter file beside the spool and the records behind it flow on",
        );
      }
    }
  }

  private async onSendFailure(pending: Pending, error: unknown): Promise<void> {
    this.failures += 1;
    this.lastError = errorMessage(error);
    const retriable = isRetriable(error);
    if (this.failures === 1 || !retriable) {
      this.log.error({ err: error, records: pending.records.length, retriable }, "audit trail cannot write to Kafka; records wait in the disk spool");
    }
    this.degraded = true;
    if (this.finalized) return;
    await this.sleep(retriable ? backoffDelayMs(AUDIT_BACKOFF, this.failures) : NON_RETRIABLE_PROBE_MS);
  }

  private refuse(records: readonly EncodedAuditRecord[], reason: OfferRefusal): OfferResult {
    for (const record of records) this.droppedByZone.set(record.key, (this.droppedByZone.get(record.key) ?? 0) + 1);
    this.dropped += records.length;
    this.droppedSinceLog += records.length;
    const now = Date.now();
    if (now - this.lastDropLogMs >= DROP_LOG_INTERVAL_MS) {
      const zones = [...new Set(records.map((r) => r.key))].sort();
      this.log.error(
        { reason, zones, records: this.droppedSinceLog, droppedTotal: this.dropped, spooledBytes: this.spool.bytes },
        "audit records could not be kept; callers apply each zone's fail posture",
      );
      this.lastDropLogMs = now;
      this.droppedSinceLog = 0;
    }
    return { accepted: false, reason };
  }

  /** Waits until `minWaiting` records wait to be sent, `timeoutMs` passed, or the writer stops. */
  private waitForRecords(minWaiting: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        if (this.waiter?.wake === wake) this.waiter = undefined;
        resolve();
      };
      if (this.stopped || this.waiting() >= minWaiting) {
        resolve();
        return;
      }
      if (Number.isFinite(timeoutMs)) timer = setTimeout(wake, timeoutMs);
      this.waiter = { minWaiting, wake };
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
      if (this.stopped) wake();
    });
  }
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `promise` at most `ms`, leaving no timer behind (a stray timer would keep a process up). */
async function settledWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))]);
  clearTimeout(timer);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
