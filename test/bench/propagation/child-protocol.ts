/** What the benchmark and its children say to each other: one JSON object per stdout line. */
import type { LoadSummary } from "./load";


/** Configuration of the control-plane child (argv[2], JSON). */
export interface ControlChildConfig {
  readonly brokers: string;
  readonly policyDir: string;
  /** A PostgreSQL server; empty selects PGlite in `pgliteDir`. */
  readonly databaseUrl: string;
  /** Fresh schema on the server, dropped when the child stops. */
  readonly schema: string;
  readonly pgliteDir: string;
}

/** Printed by the control child once it serves. */
export interface ControlReady {
  readonly benchControl: { readonly httpPort: number; readonly database: string };
}

/** One Kafka produce made inside a traced flip. */
export interface SendSpan {
  readonly topic: string;
  readonly start: number;
  readonly end: number;
  /** Offset of the first record sent (RecordMetadata.baseOffset), when the broker said. */
  readonly offset?: string | undefined;
}

/**
 * Where the control plane spent one `POST /v1/zones/{zone}/flip`, printed by the control child
 * after each flip. Times are Unix milliseconds (`performance.timeOrigin + performance.now()`),
 * comparable with the benchmark's own.
 */
export interface FlipTrace {
  readonly reason: string;
  /** ControlPlane.flip called (the HTTP request parsed and authorised). */
  readonly start: number;
  /** The change's transaction: begun, its work done (stored, published, audited), committed. */
  txStart?: number;
  workEnd?: number;
  commitEnd?: number;
  readonly sends: SendSpan[];
  /** ControlPlane.flip resolved (after reading the zone's new state back). */
  end?: number;
}

export interface FlipTraceLine {
  readonly benchFlip: FlipTrace;
}

/** Configuration of a decision-service child (argv[2], JSON). */
export interface PdpChildConfig {
  readonly brokers: string;
  readonly policyDir: string;
  readonly auditSpoolDir: string;
}

export interface PdpReady {
  readonly benchPort: number;
  readonly policyVersion: string;
}

/**
 * One batch of the control topic as a replica's follower handled it (kafkajs instrumentation
 * events, Unix ms): the fetch that returned it was issued at `fetchStart` and answered at
 * `fetchEnd`; the batch was applied (snapshot folded, new engine swapped in) by `applied`.
 */
export interface FeedBatch {
  readonly fetchStart: number;
  readonly fetchEnd: number;
  readonly batchStart: number;
  readonly applied: number;
  readonly firstOffset: string;
  readonly lastOffset: string;
}

export interface FeedBatchLine {
  readonly benchFeed: FeedBatch;
}

/** Configuration of the load child (argv[2], JSON): cluster mode's paced zones-20 load. */
export interface LoadChildConfig {
  readonly addresses: readonly string[];
  readonly ratePerReplica: number;
}

/** What the load child printed when its stdin closed. */
export interface LoadLine {
  readonly benchLoad: LoadSummary;
}
