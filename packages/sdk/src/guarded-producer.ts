import type { Kafka, Producer, TopicMessages } from "kafkajs";

import type { Write } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";

import { controlVerifyKeysOption } from "./control-verify-keys";
import { DecisionCache } from "./decision-cache";
import type { Decider } from "./decider";
import { FlowCheckUnavailableError, FlowDeniedError } from "./errors";
import { flowHeaders, sendHeaders, toWrite, traceparentOf, withHeaders } from "./flow-write";
import { resolveOptions, type GuardedProducerOptions, type ResolvedOptions, type ResolvedRemoteDecider } from "./options";
import { RemoteDecisionClient } from "./remote-decider";
import type { FlowDecision, GuardedProducerStats, GuardedRecord, SendResult } from "./types";
import { WriteChecker } from "./write-checker";
import { followZonePosture } from "./zone-posture";

/** How long `connect` waits for the decision service's channel before going on without it. */
const CONNECT_WARM_UP_MS = 2_000;

/** A kafkajs producer that checks every write with flowzone before it writes. */
export interface GuardedProducer {
  /**
   * Connects the producer and starts the decider (embedded: loads the bundle, follows control;
   * remote: replays and follows control for the zones' fail posture, unless told not to).
   */
  connect(): Promise<void>;
  /**
   * Checks the write (one decision for all the messages: they share producer, sink and flow),
   * then writes them with the flowzone headers. Throws `FlowDeniedError` when denied,
   * `FlowCheckUnavailableError` when it cannot be checked and fails closed, `FlowRequestError`
   * when the write cannot be decided; in each case nothing is written.
   */
  send(record: GuardedRecord): Promise<SendResult>;
  /** Several topics in one kafkajs `sendBatch`, with one decision call for all; all or nothing. */
  sendBatch(records: readonly GuardedRecord[]): Promise<readonly SendResult[]>;
  /** Decides a send without writing it (a dry run): a deny is returned, not thrown. */
  check(record: GuardedRecord): Promise<FlowDecision>;
  stats(): GuardedProducerStats;
  disconnect(): Promise<void>;
}

interface Connected {
  readonly producer: Producer;
  readonly decider: Decider;
  readonly checker: WriteChecker;
}

/**
 * Creates a guarded producer. Options are validated here, with every default in one place
 * (`SDK_DEFAULTS`), so a bad option fails at construction rather than on the first send.
 */
export function createGuardedProducer(options: GuardedProducerOptions): GuardedProducer {
  const resolved = resolveOptions(options);
  const log = resolved.logger.child({ component: "guarded-producer" });
  const counts = { allowed: 0, wouldDeny: 0, denied: 0, unchecked: 0, failedClosed: 0 };
  let connected: Connected | undefined;
  let connecting: Promise<Connected> | undefined;

  const ready = (): Connected => {
    if (connected === undefined) throw new Error("guarded producer: call connect() before sending");
    return connected;
  };

  const decide = async (writes: readonly Write[], traceparent: string): Promise<readonly FlowDecision[]> => {
    const decisions = await ready().checker.check(writes, traceparent).catch((error: unknown) => {
      if (error instanceof FlowCheckUnavailableError) counts.failedClosed += writes.length;
      throw error;
    });
    decisions.forEach((decision, i) => {
      if (decision.outcome !== "deny") return;
      counts.denied += 1;
      const write = writes[i] as Write;
      log.info({ producer: write.producer, sink: write.sink, labels: write.labels, decisionId: decision.decisionId }, "write denied by flowzone; nothing written");
    });
    const denied = decisions.findIndex((d) => d.outcome === "deny");
    const deniedDecision = decisions[denied];
    if (deniedDecision !== undefined) {
      throw new FlowDeniedError((writes[denied] as Write).sink, deniedDecision.decisionId, deniedDecision.policyVersion, deniedDecision.violations);
    }
    return decisions;
  };

  const count = (decision: FlowDecision): SendResult["decision"] => {
    if (decision.outcome === "unchecked") counts.unchecked += 1;
    else if (decision.violations.length > 0) counts.wouldDeny += 1;
    else counts.allowed += 1;
    return decision.outcome === "unchecked" ? "unchecked" : "allow";
  };

  return {
    async connect() {
      connecting ??= start(resolved);
      connected = await connecting;
    },
    async send(record) {
      const write = toWrite(record, resolved.producer);
      const traceparent = traceparentOf(record);
      const { producer } = ready();
      const [decision] = await decide([write], traceparent);
      if (decision === undefined) throw new Error("guarded producer: no decision");
      const headers = sendHeaders(flowHeaders(write, decision), traceparent);
      const records = await producer.send({ topic: record.topic, messages: withHeaders(record.messages, headers), acks: resolved.acks });
      return { decision: count(decision), decisionId: decision.decisionId, policyVersion: decision.policyVersion, violations: decision.violations, records };
    },
    async sendBatch(records) {
      const writes = records.map((r) => toWrite(r, resolved.producer));
      const traceparents = records.map(traceparentOf);
      const { producer } = ready();
      // One CheckBatch carries one trace context: the first record's that has one.
      const decisions = await decide(writes, traceparents.find((t) => t !== "") ?? "");
      const topicMessages: TopicMessages[] = records.map((r, i) => ({
        topic: r.topic,
        messages: withHeaders(r.messages, sendHeaders(flowHeaders(writes[i] as Write, decisions[i] as FlowDecision), traceparents[i] ?? "")),
      }));
      const written = await producer.sendBatch({ topicMessages, acks: resolved.acks });
      return decisions.map((decision, i) => ({
        decision: count(decision),
        decisionId: decision.decisionId,
        policyVersion: decision.policyVersion,
        violations: decision.violations,
        records: written.filter((m) => m.topicName === records[i]?.topic),
      }));
    },
    async check(record) {
      const [decision] = await ready().checker.check([toWrite(record, resolved.producer)]);
      if (decision === undefined) throw new Error("guarded producer: no decision");
      return decision;
    },
    stats() {
      const checker = connected?.checker;
      return {
        decisionCalls: checker?.counters.decisionCalls ?? 0,
        cacheHits: checker?.counters.cacheHits ?? 0,
        cacheMisses: checker?.counters.cacheMisses ?? 0,
        cacheDrops: checker?.cacheDrops ?? 0,
        ...counts,
      };
    },
    async disconnect() {
      const current = connected ?? (await connecting?.catch(() => undefined));
      connected = undefined;
      connecting = undefined;
      if (current === undefined) return;
      await current.producer.disconnect();
      await current.decider.close();
    },
  };
}

async function start(options: ResolvedOptions): Promise<Connected> {
  const logger = options.logger;
  // The embedded decider comes from @flowzone/sdk/embedded; a remote one loads the engine only on
  // this connect, and only to follow the control topic for the zones' fail posture.
  const decider: Decider = options.decider.mode === "remote" ? await remoteDecider(options.decider, options.kafka, logger) : await options.decider.start(options.kafka, logger);
  const producer = options.kafka.producer(options.producerConfig);
  try {
    await producer.connect();
  } catch (error) {
    await decider.close();
    throw error;
  }
  if (decider instanceof RemoteDecisionClient && !(await decider.warmUp(CONNECT_WARM_UP_MS))) {
    logger.warn({ address: options.decider.mode === "remote" ? options.decider.address : "" }, "decision service not reachable yet; sends apply the fail posture until it is");
  }
  const cache = new DecisionCache(options.cacheMaxEntries, options.cacheTtlMs);
  const checker = new WriteChecker(decider, cache, options.failMode, logger.child({ component: "write-checker" }));
  return { producer, decider, checker };
}

/** The decision service's client, with the zones' fail posture from the control topic unless it is not followed. */
async function remoteDecider(options: ResolvedRemoteDecider, kafka: Kafka, logger: Logger): Promise<RemoteDecisionClient> {
  const zones = options.followControlTopic ? await followZonePosture(kafka, options.controlTopic, controlVerifyKeysOption(options.controlVerifyKeys), logger) : undefined;
  return new RemoteDecisionClient(options, zones);
}
