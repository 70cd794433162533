import type { Kafka, KafkaMessage, Message, Producer } from "kafkajs";

import { AUDIT_TOPIC, PartitionedSender, ProduceRequests, REDRIVE_LEDGER_TOPIC, auditTopicSpec, ensureTopics } from "@flowzone/kafka";
import type { PolicyEngine } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";

import { redriveOutcome, type RedriveContext, type RedriveFilter } from "./redrive-decision";
import { RedriveError } from "./redrive-error";
import type { Route } from "./route";
import { endOffsetsOf, readTopicRange } from "./topic-range";

/** What a re-drive did, record by record of the quarantine range it read. */
export interface RedriveSummary {
  readonly route: string;
  /** Quarantined records read. */
  readonly examined: number;
  /** Forwarded to the route's target now. */
  readonly redriven: number;
  /** Forwarded by an earlier re-drive (in the ledger): left. */
  readonly alreadyRedriven: number;
  /** Still denied by a violation in enforcement: left. */
  readonly stillDenied: number;
  /** Still undecidable, without a usable origin, or once too large to write: left. */
  readonly unreadable: number;
  /** Not selected (`--violation`): left. */
  readonly skipped: number;
}

/** Options of {@link redriveQuarantine}; defaults are filled here. */
export interface RedriveOptions {
  readonly kafka: Kafka;
  readonly route: Route;
  /** The policy now in force: bundle, zone modes and exceptions. */
  readonly engine: PolicyEngine;
  /** Who asked; recorded on every `redriven` audit record and ledger record. */
  readonly actor: string;
  readonly logger: Logger;
  /** Default `flowzone.audit.v1`. */
  readonly auditTopic?: string | undefined;
  /** The audit topic's `retention.ms` if this process creates it; default -1, kept forever (`FLOWZONE_AUDIT_RETENTION_MS`). */
  readonly auditRetentionMs?: number | undefined;
  /** Default `flowzone.redrive.v1`. */
  readonly ledgerTopic?: string | undefined;
  /** The transactional id is `<prefix>-<route>`; default `flowzone-redrive`. */
  readonly transactionalIdPrefix?: string | undefined;
  /** Read the quarantine topic from the first offsets at or after this time (offsets for times); default from its start. */
  readonly sinceMs?: number | undefined;
  /** Which records to consider; default all. */
  readonly filter?: RedriveFilter | undefined;
  /** Dates the audit records and decides exception expiry; default the wall clock. */
  readonly now?: (() => number) | undefined;
}

/** Records per transaction: a few hundred keeps one transaction's sends small and quick. */
const CHUNK_RECORDS = 500;
/** How long one of the re-drive's reads may make no progress. */
const STALL_TIMEOUT_MS = 60_000;
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Re-checks a route's quarantined records under `engine` and forwards those now allowed to the
 * route's `to`, exactly once (docs/reference/kafka.md, "Re-drive"). The producer's transactional
 * id is fixed per route, so starting fences any earlier re-drive of the route still running or
 * crashed mid-transaction; only then is the ledger read (read_committed), so it holds everything
 * an earlier re-drive committed. The quarantine topic is read from its start (or `sinceMs`) to
 * the end offsets it had at the start, so the work is bounded however much the enforcer adds
 * meanwhile. Each transaction holds the forwarded records, one `redriven` audit record and one
 * ledger record per record: forwarded, audited and remembered together or not at all.
 *
 * @throws RedriveError `observe_only` for a route without `to`; `fenced` when a newer re-drive of
 *   the route took over (what this one committed stands); Kafka's errors otherwise.
 */
export async function redriveQuarantine(options: RedriveOptions): Promise<RedriveSummary> {
  const { kafka, route } = options;
  const { to, quarantine } = route;
  if (to === undefined || quarantine === undefined) {
    throw new RedriveError("observe_only", `route "${route.name}" has no "to": it only observes, so it quarantines nothing to re-drive`);
  }
  const auditTopic = options.auditTopic ?? AUDIT_TOPIC;
  const ledgerTopic = options.ledgerTopic ?? REDRIVE_LEDGER_TOPIC;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: "redrive", route: route.name });
  const counts = { route: route.name, examined: 0, redriven: 0, alreadyRedriven: 0, stillDenied: 0, unreadable: 0, skipped: 0 };
  await ensureTopics(kafka, [auditTopicSpec(auditTopic, options.auditRetentionMs), { topic: ledgerTopic, compacted: true }]);
  const producer = kafka.producer({
    transactionalId: `${options.transactionalIdPrefix ?? "flowzone-redrive"}-${route.name}`,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: TRANSACTION_TIMEOUT_MS,
  });
  // Watched from the start: a transaction's sends fail rather than let kafkajs write a record twice.
  const requests = new ProduceRequests(producer);
  await producer.connect();
  const sender = new PartitionedSender(kafka);
  try {
    // Fences every earlier holder of the id: its open transaction is aborted (or completed) first.
    await (await producer.transaction()).abort();
    const ledger = await readLedger(kafka, ledgerTopic, `${quarantine}/`);
    const offsets = await endOffsetsOf(kafka, quarantine, options.sinceMs);
    if (offsets === undefined) return counts;
    const context: RedriveContext = { engine: options.engine, route: { ...route, to, quarantine }, ledger, filter: options.filter, actor: options.actor, nowMs: now() };
    log.info({ quarantine, ends: Object.fromEntries([...offsets.ends].map(([p, end]) => [p, end.toString()])), ledger: ledger.size }, "re-drive started");
    await readTopicRange({
      kafka,
      topic: quarantine,
      ranges: [...offsets.ends].map(([partition, end]) => ({ partition, start: offsets.starts.get(partition) ?? 0n, end })),
      stallTimeoutMs: STALL_TIMEOUT_MS,
      what: `re-drive of route ${route.name}`,
      onRecords: async (partition, messages) => {
        for (let i = 0; i < messages.length; i += CHUNK_RECORDS) {
          await redriveChunk({ producer, sender, requests }, { ...context, nowMs: now() }, partition, messages.slice(i, i + CHUNK_RECORDS), { to, auditTopic, ledgerTopic }, counts);
          log.debug(counts, "re-drive progress");
        }
      },
    });
    log.info(counts, "re-drive finished");
    return counts;
  } catch (error) {
    if (RedriveError.isFencing(error)) {
      throw new RedriveError("fenced", `another re-drive of route "${route.name}" started and took over; what this one committed stays forwarded`, { cause: error });
    }
    throw error;
  } finally {
    await sender.close().catch(() => undefined);
    await producer.disconnect().catch((error: unknown) => {
      log.debug({ err: error }, "closing the re-drive producer failed");
    });
  }
}

type Counts = { -readonly [K in keyof RedriveSummary]: RedriveSummary[K] };

/** Decides a chunk and commits what it forwards in one transaction; counts only once committed. */
async function redriveChunk(
  { producer, sender, requests }: { readonly producer: Producer; readonly sender: PartitionedSender; readonly requests: ProduceRequests },
  context: RedriveContext,
  partition: number,
  messages: readonly KafkaMessage[],
  topics: { to: string; auditTopic: string; ledgerTopic: string },
  counts: Counts,
): Promise<void> {
  const forwards: Message[] = [];
  const audits: Message[] = [];
  const entries: Message[] = [];
  const left = { alreadyRedriven: 0, stillDenied: 0, unreadable: 0, skipped: 0 };
  for (const message of messages) {
    const outcome = redriveOutcome(context, partition, message);
    if (outcome.kind !== "redriven") {
      left[outcome.kind] += 1;
      continue;
    }
    forwards.push(outcome.forward);
    audits.push({ key: outcome.audit.key, value: outcome.audit.value });
    entries.push({ key: outcome.ledgerKey, value: JSON.stringify({ route: context.route.name, target: topics.to, actor: context.actor, atMs: context.nowMs }) });
  }
  if (forwards.length > 0) {
    const transaction = await producer.transaction();
    try {
      const topicMessages = [
        { topic: topics.to, messages: forwards },
        { topic: topics.auditTopic, messages: audits },
        { topic: topics.ledgerTopic, messages: entries },
      ];
      await sender.send(topicMessages, (part) => transaction.sendBatch({ acks: -1, topicMessages: part }), requests);
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }
  counts.examined += messages.length;
  counts.redriven += forwards.length;
  for (const kind of ["alreadyRedriven", "stillDenied", "unreadable", "skipped"] as const) counts[kind] += left[kind];
}

/** The keys of the ledger under `prefix` (one route's quarantine topic), read to the end it has now. */
async function readLedger(kafka: Kafka, topic: string, prefix: string): Promise<Set<string>> {
  const keys = new Set<string>();
  const offsets = await endOffsetsOf(kafka, topic);
  if (offsets === undefined) return keys;
  await readTopicRange({
    kafka,
    topic,
    ranges: [...offsets.ends].map(([partition, end]) => ({ partition, start: offsets.starts.get(partition) ?? 0n, end })),
    stallTimeoutMs: STALL_TIMEOUT_MS,
    what: `reading the re-drive ledger ${topic}`,
    onRecords: (_partition, messages) => {
      for (const message of messages) {
        const key = message.key?.toString("utf8") ?? "";
        if (key.startsWith(prefix) && message.value !== null) keys.add(key);
      }
      return Promise.resolve();
    },
  });
  return keys;
}
