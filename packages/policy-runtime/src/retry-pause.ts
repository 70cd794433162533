import type { ExponentialBackoff } from "@flowzone/kafka";

/**
 * The pause between two attempts to reach the control topic while Kafka is unreachable. Each
 * attempt already spends kafkajs' own connection retries (several seconds against a dead
 * broker), so the pause stays short; its jitter keeps many replicas from reconnecting in step.
 */
export const CONTROL_TOPIC_RETRY: ExponentialBackoff = { initialMs: 500, maxMs: 10_000, multiplier: 2, jitter: 0.2 };
