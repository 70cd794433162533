import { logLevel } from "kafkajs";

/** The pino level a kafkajs log entry is written at. */
export type BridgedLevel = "error" | "warn" | "info" | "debug";

/** What {@link bridgedLevel} looks at in a kafkajs log entry. */
export interface KafkajsEntry {
  readonly level: logLevel;
  /** kafkajs' namespace: `Connection`, `Producer`, `Consumer`, `Runner`, ... */
  readonly namespace: string;
  readonly message: string;
  /** kafkajs puts the broker's answer here on a failed response and on a rebalance. */
  readonly error?: unknown;
  /** Set on kafkajs' retry notices ("Failed to send messages: ...": a retry follows), not on a crash. */
  readonly retryTime?: unknown;
}

/**
 * Broker answers that are normal while a broker, a topic or a group is warming up or moving, and
 * that kafkajs retries by itself (they are `retriable` in kafkajs' error table): the group
 * coordinator and transaction state loading after a start, a leader election, a topic just
 * created, a transaction still completing. If they outlast kafkajs' retries, the call fails and
 * its caller logs the failure; the intermediate answers are not errors. Texts as kafkajs words them.
 */
export const TRANSIENT_BROKER_ANSWERS: readonly string[] = [
  "The coordinator is loading and hence can't process requests for this group",
  "The group coordinator is not available",
  "This is not the correct coordinator for this group",
  "There is no leader for this topic-partition as we are in the middle of a leadership election",
  "This server is not the leader for that topic-partition",
  "This server does not host this topic-partition",
  "The replica is not available for the requested topic-partition",
  "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing",
  "This is not the correct controller for this cluster",
  "The leader epoch in the request is older than the epoch on the broker",
  "The leader epoch in the request is newer than the epoch on the broker",
  "The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing",
  "The preferred leader was not available",
  "Eligible topic partition leaders are not available",
  "The group is rebalancing, so a rejoin is needed",
  // A consumer sought below the log start or past the end; kafkajs resets it and says so (below).
  "The requested offset is not within the range of offsets maintained by the server",
];

/**
 * kafkajs' consumer group logs this at ERROR when a fetch was out of range and it moves the
 * consumer to its default offset. The consumer goes on, so it is a warning: the backlog, for one,
 * seeks to its stored offsets and reads a new incarnation of the audit topic from its start.
 */
export const OFFSET_RESET_NOTICE = "Offset out of range, resetting to default offset";

/**
 * kafkajs warns about this whenever an idempotent producer is given a retry limit. The audit writer
 * limits its producer's retries on purpose (a dead broker must surface quickly, so records are
 * spooled) and sends a failed batch again on the same producer with the same sequence numbers,
 * so the broker still drops a batch it already wrote: the warning does not apply to flowzone.
 */
export const LIMITED_RETRIES_WARNING = "Limiting retries for the idempotent producer may invalidate EoS guarantees";

function namesTransientAnswer(text: unknown): boolean {
  return typeof text === "string" && TRANSIENT_BROKER_ANSWERS.some((answer) => text.includes(answer));
}

/**
 * The level a kafkajs entry deserves in flowzone's log. A transient broker answer is `debug` on
 * kafkajs' per-request `Connection` line (a protocol trace; the retry follows) and `info` on a
 * retry notice or a rebalance; the limited-retries warning is `debug`; everything else, a consumer
 * crash after its retries included, keeps its level.
 */
export function bridgedLevel(entry: KafkajsEntry): BridgedLevel {
  const { level, namespace, message, error, retryTime } = entry;
  if (level === logLevel.ERROR || level === logLevel.WARN) {
    if (namesTransientAnswer(error)) return namespace === "Connection" ? "debug" : "info";
    if (typeof retryTime === "number" && namesTransientAnswer(message)) return "info";
    if (message === LIMITED_RETRIES_WARNING) return "debug";
    if (message === OFFSET_RESET_NOTICE) return "warn";
    return level === logLevel.ERROR ? "error" : "warn";
  }
  return level === logLevel.INFO ? "info" : "debug";
}
