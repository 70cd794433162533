import { AUDIT_TOPIC, type createKafka } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

/**
 * The kafkajs client as @flowzone/kafka hands it out; named through `createKafka` so that kafkajs
 * stays behind that one package.
 */
export type KafkaClient = ReturnType<typeof createKafka>;

/** Options of {@link AuditWriter}; every optional one has its default in {@link AUDIT_WRITER_DEFAULTS}. */
export interface AuditWriterOptions {
  /** A kafkajs client, from `createKafka` of @flowzone/kafka. */
  readonly kafka: KafkaClient;
  readonly logger: Logger;
  /** Directory of the disk spool; one writer per directory. */
  readonly spoolDir: string;
  readonly topic?: string;
  /** Spooled records also held in memory, so they are sent without reading the disk back. */
  readonly maxQueueRecords?: number;
  /** Bound on the spool's bytes on disk; past it, `offer` refuses records. */
  readonly maxSpoolBytes?: number;
  /** Size at which a spool segment is closed and a new one started; default maxSpoolBytes / 8, at most 16 MiB. */
  readonly spoolSegmentBytes?: number;
  /** Records per Kafka send. */
  readonly batchMaxRecords?: number;
  /** How long a partial batch waits for more records before it is sent. */
  readonly lingerMs?: number;
  /**
   * Whether an offer's `durable` waits for its records to reach the device (one synchronized
   * write per round, shared by every offer made meanwhile). When false it waits for the write only: the
   * records are in the page cache, which survives the death of the process but not the machine's.
   */
  readonly fsync?: boolean;
}

/** Options with every default filled in and every limit checked. */
export type ResolvedAuditWriterOptions = Required<AuditWriterOptions>;

/** The defaults, in one place. */
export const AUDIT_WRITER_DEFAULTS = {
  topic: AUDIT_TOPIC,
  maxQueueRecords: 100_000,
  maxSpoolBytes: 256 * 1024 * 1024,
  batchMaxRecords: 500,
  // 5 ms sent 13 to 15 records per Kafka request at the decision service's rate (bench:audit), and
  // kafkajs' cost is mostly per request (building it, CRC in JS). A batch sends once it holds
  // batchMaxRecords, so the linger only delays records at low rates, which it costs little.
  lingerMs: 50,
  fsync: true,
} as const;

const MIN_SPOOL_BYTES = 1024;
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
const MAX_LINGER_MS = 60_000;

/** Fills defaults and throws a `RangeError` naming the option on anything out of bounds. */
export function resolveAuditWriterOptions(options: AuditWriterOptions): ResolvedAuditWriterOptions {
  const maxSpoolBytes = options.maxSpoolBytes ?? AUDIT_WRITER_DEFAULTS.maxSpoolBytes;
  const resolved: ResolvedAuditWriterOptions = {
    kafka: options.kafka,
    logger: options.logger,
    spoolDir: options.spoolDir,
    topic: options.topic ?? AUDIT_WRITER_DEFAULTS.topic,
    maxQueueRecords: options.maxQueueRecords ?? AUDIT_WRITER_DEFAULTS.maxQueueRecords,
    maxSpoolBytes,
    spoolSegmentBytes: options.spoolSegmentBytes ?? Math.min(MAX_SEGMENT_BYTES, Math.max(MIN_SPOOL_BYTES, Math.floor(maxSpoolBytes / 8))),
    batchMaxRecords: options.batchMaxRecords ?? AUDIT_WRITER_DEFAULTS.batchMaxRecords,
    lingerMs: options.lingerMs ?? AUDIT_WRITER_DEFAULTS.lingerMs,
    fsync: options.fsync ?? AUDIT_WRITER_DEFAULTS.fsync,
  };
  if (typeof (resolved.kafka as Partial<KafkaClient> | undefined)?.producer !== "function") throw new TypeError("audit writer: kafka must be a kafkajs client");
  if (typeof resolved.spoolDir !== "string" || resolved.spoolDir === "") throw new RangeError("audit writer: spoolDir must be a directory path");
  if (typeof resolved.fsync !== "boolean") throw new TypeError("audit writer: fsync must be true or false");
  if (resolved.topic === "") throw new RangeError("audit writer: topic must not be empty");
  checkInteger("maxQueueRecords", resolved.maxQueueRecords, 1, 100_000_000);
  checkInteger("maxSpoolBytes", resolved.maxSpoolBytes, MIN_SPOOL_BYTES, Number.MAX_SAFE_INTEGER);
  checkInteger("spoolSegmentBytes", resolved.spoolSegmentBytes, MIN_SPOOL_BYTES, MAX_SEGMENT_BYTES);
  checkInteger("batchMaxRecords", resolved.batchMaxRecords, 1, resolved.maxQueueRecords);
  checkInteger("lingerMs", resolved.lingerMs, 0, MAX_LINGER_MS);
  return resolved;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`audit writer: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
