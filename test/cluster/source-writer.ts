/**
 * The producer of the scale-out and failover test: writes records 0..total-1 to the source topic
 * in paced chunks, in the background, while the test breaks things; it halts at `holdAt` until
 * released, so the last records are written only after a step the test wants them to follow.
 */
import { setTimeout as delay } from "node:timers/promises";

import type { Kafka, Producer } from "kafkajs";

import { waitFor } from "../support/poll";
import type { ProducedRecord } from "../support/topics";

export interface SourceWriterOptions {
  readonly topic: string;
  readonly total: number;
  /** Records per chunk. */
  readonly chunk: number;
  /** Pause after each chunk: records keep coming over the faults instead of landing all at once. */
  readonly pauseMs: number;
  /** The first record held back until {@link SourceWriter.release}. */
  readonly holdAt: number;
  readonly record: (i: number) => ProducedRecord;
}

export class SourceWriter {
  /** Records acknowledged by Kafka. */
  private written = 0;
  /** The first record not yet handed to a send: records from here on are sent after any moment it is read. */
  private nextToSend = 0;
  private released = false;
  private failure: unknown = undefined;
  private stopped = false;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly producer: Producer,
    private readonly options: SourceWriterOptions,
  ) {
    this.loop = this.run().catch((error: unknown) => {
      this.failure = error;
    });
  }

  static async start(kafka: Kafka, options: SourceWriterOptions): Promise<SourceWriter> {
    // Idempotent, acks from every in-sync replica, one request in flight: a retry never duplicates.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    return new SourceWriter(producer, options);
  }

  /** The index of the next record to be sent: every record from it on is sent after this call. */
  get next(): number {
    return this.nextToSend;
  }

  /** Waits until `count` records are written (fails naming it, or the writer's own failure). */
  async reached(count: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(`the source writer to have written ${count} of ${this.options.total} records`, () => this.written >= count || this.failure !== undefined, { timeoutMs, intervalMs: 50 });
    this.rethrow();
  }

  /** Where it is, to explain a failure. */
  describe(): string {
    return `source writer: ${this.written} of ${this.options.total} records written, ${this.nextToSend} handed to a send${this.failure === undefined ? "" : `, failed: ${this.failure instanceof Error ? this.failure.message : JSON.stringify(this.failure)}`}`;
  }

  /** Lets the records from `holdAt` on be written. */
  release(): void {
    this.released = true;
  }

  /** Waits until every record is written. */
  async done(timeoutMs = 60_000): Promise<void> {
    await this.reached(this.options.total, timeoutMs);
  }

  /** Stops writing (whatever is in flight finishes) and disconnects. */
  async close(): Promise<void> {
    this.stopped = true;
    this.released = true;
    await this.loop;
    await this.producer.disconnect();
  }

  private rethrow(): void {
    if (this.failure === undefined) return;
    throw this.failure instanceof Error ? this.failure : new Error(`the source writer failed: ${JSON.stringify(this.failure)}`);
  }

  private async run(): Promise<void> {
    const { topic, total, chunk, pauseMs, holdAt } = this.options;
    while (this.nextToSend < total && !this.stopped) {
      if (this.nextToSend >= holdAt && !this.released) {
        await delay(20);
        continue;
      }
      const from = this.nextToSend;
      const to = Math.min(total, from + chunk, from < holdAt ? holdAt : total);
      this.nextToSend = to;
      const records = Array.from({ length: to - from }, (_, k) => this.options.record(from + k));
      // One send per partition, one after the other: a send spanning partitions led by several
      // brokers is one request per broker, and kafkajs (2.2.4) retries a failed one while the
      // others may still be in flight, sending those again under new sequence numbers (written
      // twice). A send to one partition is one request, retried under its own sequence numbers.
      for (const partition of new Set(records.map((r) => r.partition))) {
        const messages = records.filter((r) => r.partition === partition).map((r) => ({ ...r }));
        await this.producer.send({ topic, acks: -1, messages });
      }
      this.written = to;
      await delay(pauseMs);
    }
  }
}
