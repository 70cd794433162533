import type { IHeaders, Message, TopicMessages } from "kafkajs";

import type { Write } from "@flowzone/engine";

import { ENFORCER_HEADERS } from "./enforcer-headers";

/**
 * Sizing what the enforcer writes, and fitting it under the topics' `max.message.bytes`
 * (issue 9, item 4). kafkajs sends all records of one partition in one produce request as one
 * record batch and never splits it; the broker refuses a batch larger than the topic's
 * `max.message.bytes` (MESSAGE_TOO_LARGE) and a transaction that retried it would be refused
 * forever. So a chunk is planned by the bytes it will write per target topic (records, headers
 * and the audit records it produces), and a record that cannot be written as decided is
 * written, less and less of it, to quarantine, never dropped in silence.
 */

/**
 * Upper bound of what one record adds to a record batch beside its key, value and header
 * names and values: length, attributes, timestamp and offset deltas, key, value and header
 * count lengths, all varints (at most 5 bytes, the timestamp delta 10).
 */
export const RECORD_OVERHEAD_BYTES = 40;
/** Upper bound of one header's varint lengths (name and value). */
export const HEADER_OVERHEAD_BYTES = 10;
/**
 * Kept free under a topic's `max.message.bytes` for the record batch's own header (61 bytes)
 * and slack: a send for one topic is planned to at most `max.message.bytes - 512` bytes.
 */
export const BATCH_HEADROOM_BYTES = 512;

/** The bytes one record takes in a record batch, at most (uncompressed, as the enforcer sends). */
export function writtenBytes(message: Pick<Message, "key" | "value" | "headers">): number {
  let bytes = RECORD_OVERHEAD_BYTES + lengthOf(message.key) + lengthOf(message.value);
  const headers = message.headers;
  // for...in and no array per header: this runs for every record the enforcer writes.
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + lengthOf(value);
      continue;
    }
    for (const item of value) bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + lengthOf(item);
  }
  return bytes;
}

function lengthOf(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return 0;
  return typeof data === "string" ? Buffer.byteLength(data) : data.length;
}

/** A record's outcome as the enforcer counts it (the `outcome` of `flowzone_enforcer_records_total`). */
export type RecordOutcome = "forwarded" | "quarantined" | "malformed" | "observed";

/**
 * How much of a decided record is written, after size refusals:
 * 0 as decided; 1 moved from `to` to quarantine, whole; 2 in quarantine without its value;
 * 3 in quarantine as a bare stand-in (no key, value nor headers but `flowzone-error` and
 * `flowzone-origin`); 4 the stand-in without the record's audit records; 5 nothing written.
 */
export type WriteStep = 0 | 1 | 2 | 3 | 4 | 5;

/** One decided input record: what it writes where, and how it counts. */
export interface DecidedRecord {
  /** `<topic>/<partition>/<offset>` of the input. */
  readonly origin: string;
  readonly offset: string;
  /** Input bytes as chunks counted them before sizing by output (value, key, 256 bytes slack). */
  readonly inputBytes: number;
  /** The topic of the record's own output (`to` or quarantine), undefined when none. */
  readonly target: string | undefined;
  readonly message: Message | undefined;
  /** Its audit records, all to the audit topic. */
  readonly audits: readonly Message[];
  readonly outcome: RecordOutcome;
  readonly step: WriteStep;
  /** Why the record is not written as decided, one clause per refusal. */
  readonly reasons: readonly string[];
  /** The write the record was decided as, reported as a flow once its chunk commits; undefined when it could not be decided. */
  readonly write?: Write | undefined;
}

/** The route's topics a decided record may be written to. */
export interface WriteTopics {
  readonly to: string | undefined;
  readonly quarantine: string | undefined;
  readonly audit: string;
}

/** Bytes one send may carry per topic: the topic's `max.message.bytes` less {@link BATCH_HEADROOM_BYTES}. */
export type SendCap = (topic: string) => number;

/** The topics a record writes to: its target, if it writes there, and the audit topic, if it has audit records. */
export function topicsWritten(record: DecidedRecord, audit: string): string[] {
  const topics: string[] = [];
  const target = targetOf(record);
  if (target !== undefined) topics.push(target);
  if (record.audits.length > 0 && !topics.includes(audit)) topics.push(audit);
  return topics;
}

/** How `flowzone-error` starts on a record quarantined because it could not be written as decided (too large, refused). */
export const NOT_WRITTEN_AS_DECIDED = "the record could not be written as decided";

/**
 * The next, smaller way to write a record the broker refused (or would refuse) for its size or
 * validity, with `reason` added to its `flowzone-error`; undefined when nothing is left to take
 * away. `part` says what was too large: the record's own output, one of its audit records (then
 * only the audit records go), or unknown (a refusal of a send with several topics).
 */
export function degrade(record: DecidedRecord, topics: WriteTopics, reason: string, part: "output" | "audit" | "unknown"): DecidedRecord | undefined {
  const reasons = [...record.reasons, reason];
  if (part === "audit") {
    if (record.audits.length === 0) return undefined;
    return { ...record, audits: [], step: Math.max(record.step, 4) as WriteStep, reasons };
  }
  const quarantine = topics.quarantine;
  const headers = record.message?.headers ?? {};
  const original = record.message;
  const error = (valueLeftOut: boolean): string =>
    `${NOT_WRITTEN_AS_DECIDED}: ${reasons.join("; ")}${valueLeftOut ? `; its value (${lengthOf(original?.value)} bytes) is left out, the input record is at ${ENFORCER_HEADERS.origin}` : ""}`;
  const marked = (extra: IHeaders, valueLeftOut: boolean): IHeaders => ({ ...extra, [ENFORCER_HEADERS.error]: error(valueLeftOut), [ENFORCER_HEADERS.origin]: record.origin });
  if (record.step === 0 && quarantine !== undefined && record.target !== undefined && record.target !== quarantine && original !== undefined) {
    // Forwarding refused: to quarantine, whole.
    return { ...record, target: quarantine, message: { ...original, headers: marked(headers, false) }, outcome: "malformed", step: 1, reasons };
  }
  if (record.step <= 1 && quarantine !== undefined && record.target === quarantine && original !== undefined) {
    return { ...record, message: { key: original.key ?? null, value: null, headers: marked(withoutOwned(headers), true) }, step: 2, reasons };
  }
  if (record.step <= 2 && quarantine !== undefined && record.target === quarantine) {
    return { ...record, message: { key: null, value: null, headers: marked({}, true) }, step: 3, reasons };
  }
  if (record.step <= 3 && record.audits.length > 0) return { ...record, audits: [], step: 4, reasons };
  if (record.step <= 4 && record.message !== undefined) {
    return { ...record, target: undefined, message: undefined, audits: [], outcome: record.outcome === "forwarded" ? "malformed" : record.outcome, step: 5, reasons };
  }
  return undefined;
}

/** Headers of a record without the two the stand-in rewrites (so its error is the new one). */
function withoutOwned(headers: IHeaders): IHeaders {
  const rewritten: ReadonlySet<string> = new Set([ENFORCER_HEADERS.error, ENFORCER_HEADERS.origin]);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !rewritten.has(name)));
}

/**
 * The record made to fit: while its output, or one of its audit records, is larger than a send to
 * that topic may be, it is degraded (see {@link degrade}), each step naming the topic and its limit.
 */
export function fitRecord(record: DecidedRecord, topics: WriteTopics, capOf: SendCap, maxMessageBytesOf: (topic: string) => number): DecidedRecord {
  let current = record;
  for (;;) {
    const outputBytes = current.message === undefined ? 0 : writtenBytes(current.message);
    let largestAudit = 0;
    for (const audit of current.audits) largestAudit = Math.max(largestAudit, writtenBytes(audit));
    let next: DecidedRecord | undefined;
    if (current.target !== undefined && current.message !== undefined && outputBytes > capOf(current.target)) {
      next = degrade(current, topics, tooLarge(current.target, outputBytes, maxMessageBytesOf(current.target)), "output");
    } else if (largestAudit > capOf(topics.audit)) {
      next = degrade(current, topics, `its audit record is ${tooLarge(topics.audit, largestAudit, maxMessageBytesOf(topics.audit))}`, "audit");
    } else {
      return current;
    }
    if (next === undefined) return current;
    current = next;
  }
}

function tooLarge(topic: string, bytes: number, maxMessageBytes: number): string {
  return `too large for ${topic} (${bytes} bytes as written, max.message.bytes ${maxMessageBytes})`;
}

/** The limits of one chunk. */
export interface ChunkLimits {
  /** Per topic: the bytes one send may carry there. */
  readonly capOf: SendCap;
  /** Per topic: its `max.message.bytes`, named when a record is too large for it. */
  readonly maxMessageBytesOf: (topic: string) => number;
  readonly maxRecords: number;
  /** Input bytes (values, keys, 256 bytes slack per record) per chunk. */
  readonly maxInputBytes: number;
}

/**
 * Fits decided records ({@link fitRecord}) and splits them, in order, into chunks that each fit one
 * transaction: at most `maxRecords` records and `maxInputBytes` input bytes (as before sizing by
 * output), and, per target topic, at most the send cap of written bytes (records with headers,
 * audit records). The per-topic sum bounds every partition's record batch of that topic. A record
 * larger than a cap on its own gets a chunk of its own. Each record is sized once, and fitted only
 * when it is larger than a cap: this runs for every record the enforcer reads.
 */
export function planChunks(records: readonly DecidedRecord[], topics: WriteTopics, limits: ChunkLimits): DecidedRecord[][] {
  const audit = topics.audit;
  const auditCap = limits.capOf(audit);
  const chunks: DecidedRecord[][] = [];
  let current: DecidedRecord[] = [];
  let inputBytes = 0;
  let written = new Map<string, number>();
  for (const decided of records) {
    let record = decided;
    let target = targetOf(record);
    let outputBytes = outputBytesOf(record);
    let auditBytes = 0;
    let largestAudit = 0;
    for (const message of record.audits) {
      const bytes = writtenBytes(message);
      auditBytes += bytes;
      if (bytes > largestAudit) largestAudit = bytes;
    }
    if ((target !== undefined && outputBytes > limits.capOf(target)) || largestAudit > auditCap) {
      record = fitRecord(record, topics, limits.capOf, limits.maxMessageBytesOf);
      target = targetOf(record);
      outputBytes = outputBytesOf(record);
      auditBytes = 0;
      for (const message of record.audits) auditBytes += writtenBytes(message);
    }
    // A target that is the audit topic itself takes both.
    const toTarget = target === undefined ? 0 : outputBytes + (target === audit ? auditBytes : 0);
    const toAudit = auditBytes + (target === audit ? outputBytes : 0);
    const over =
      (target !== undefined && (written.get(target) ?? 0) + toTarget > limits.capOf(target)) || (toAudit > 0 && (written.get(audit) ?? 0) + toAudit > auditCap);
    if (current.length > 0 && (over || inputBytes + record.inputBytes > limits.maxInputBytes || current.length >= limits.maxRecords)) {
      chunks.push(current);
      current = [];
      inputBytes = 0;
      written = new Map();
    }
    current.push(record);
    inputBytes += record.inputBytes;
    if (target !== undefined) written.set(target, (written.get(target) ?? 0) + outputBytes);
    if (auditBytes > 0) written.set(audit, (written.get(audit) ?? 0) + auditBytes);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The topic a record's own output goes to; undefined when it writes none. */
function targetOf(record: DecidedRecord): string | undefined {
  return record.message === undefined ? undefined : record.target;
}

function outputBytesOf(record: DecidedRecord): number {
  return record.target === undefined || record.message === undefined ? 0 : writtenBytes(record.message);
}

/** What a chunk produces, grouped by topic (one produce request). */
export function topicMessagesOf(chunk: readonly DecidedRecord[], audit: string): TopicMessages[] {
  const outputs = new Map<string, Message[]>();
  const push = (topic: string, message: Message): void => {
    const list = outputs.get(topic);
    if (list === undefined) outputs.set(topic, [message]);
    else list.push(message);
  };
  for (const record of chunk) {
    if (record.target !== undefined && record.message !== undefined) push(record.target, record.message);
    for (const message of record.audits) push(audit, message);
  }
  return [...outputs].map(([topic, messages]) => ({ topic, messages }));
}
