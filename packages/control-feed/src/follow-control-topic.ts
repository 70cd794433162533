import { randomBytes } from "node:crypto";

import type { Kafka } from "kafkajs";

import { CONTROL_TOPIC, ensureTopics, verifyControlRecord, type ControlVerifyKeys } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

import { applyControlRecord } from "./apply-control-record";
import type { ControlRejection } from "./control-rejection";
import { EMPTY_SNAPSHOT, type ControlSnapshot } from "./control-snapshot";

/** How long the broker may hold a fetch when nothing is new: it bounds flip propagation. */
const DEFAULT_MAX_WAIT_MS = 100;

export interface ControlFeedOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly topic?: string;
  /** Called with each new snapshot once the replay has caught up (and once when it has). */
  readonly onChange: (snapshot: ControlSnapshot) => void;
  readonly maxWaitMs?: number;
  /**
   * The public keys of `FLOWZONE_CONTROL_VERIFY_KEYS`. Given, only records signed by one of them
   * apply; any other is skipped (the state stays as the last good records left it), logged as an
   * error and handed to `onRejected`. Undefined: every record applies, as before signing.
   */
  readonly verifyKeys?: ControlVerifyKeys | undefined;
  readonly onRejected?: ((rejection: ControlRejection) => void) | undefined;
}

export interface ControlFeed {
  /** Resolves with the snapshot once every record present at start has been read. */
  readonly caughtUp: Promise<ControlSnapshot>;
  snapshot(): ControlSnapshot;
  close(): Promise<void>;
}

/**
 * Replays the compacted control topic from the beginning and follows it. Every replica reads
 * all of it (a consumer group of its own, never committing), so a restart restores the current
 * state from the topic alone. Changes reach `onChange` per fetched batch, after the replay.
 * With `verifyKeys`, a record whose signature does not verify is skipped like one that cannot be
 * read: it never reaches the snapshot.
 */
export async function followControlTopic(options: ControlFeedOptions): Promise<ControlFeed> {
  const topic = options.topic ?? CONTROL_TOPIC;
  const log = options.logger.child({ component: "control-feed" });
  await ensureTopics(options.kafka, [{ topic, compacted: true }]);
  const admin = options.kafka.admin();
  await admin.connect();
  const highWatermarks = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();

  let snapshot = EMPTY_SNAPSHOT;
  const pending = new Map(highWatermarks);
  for (const [partition, high] of pending) if (high === 0n) pending.delete(partition);
  let markCaughtUp: (snapshot: ControlSnapshot) => void = () => undefined;
  const caughtUp = new Promise<ControlSnapshot>((resolve) => {
    markCaughtUp = resolve;
  });
  const checkCaughtUp = (): void => {
    if (pending.size === 0) {
      markCaughtUp(snapshot);
      options.onChange(snapshot);
    }
  };

  const consumer = options.kafka.consumer({
    groupId: `flowzone-control-follower-${randomBytes(6).toString("hex")}`,
    maxWaitTimeInMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let replaying = pending.size > 0;
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const before = snapshot;
      for (const message of batch.messages) {
        const key = message.key?.toString() ?? "";
        if (options.verifyKeys !== undefined) {
          const verdict = verifyControlRecord(options.verifyKeys, { topic, key: message.key, value: message.value }, message.headers);
          if (!verdict.ok) {
            const rejection: ControlRejection = { topic, partition: batch.partition, offset: message.offset, key, reason: verdict.reason, keyId: verdict.keyId, detail: verdict.detail };
            log.error(rejection, `control record rejected (${verdict.reason}): not applied, the last validly signed state stays in force`);
            options.onRejected?.(rejection);
            continue;
          }
        }
        try {
          snapshot = applyControlRecord(snapshot, key, message.value);
        } catch (error) {
          log.error({ topic, partition: batch.partition, offset: message.offset, key, err: error }, "skipping a control record that cannot be read");
        }
      }
      const last = batch.messages.at(-1);
      if (replaying && last !== undefined) {
        const high = pending.get(batch.partition);
        if (high !== undefined && BigInt(last.offset) + 1n >= high) pending.delete(batch.partition);
        if (pending.size === 0) {
          replaying = false;
          checkCaughtUp();
        }
      } else if (!replaying && snapshot !== before) {
        options.onChange(snapshot);
      }
      return Promise.resolve();
    },
  });
  if (!replaying) checkCaughtUp();
  if (options.verifyKeys === undefined) {
    log.warn({ topic, partitions: highWatermarks.size }, "following the control topic without verifying its records (no FLOWZONE_CONTROL_VERIFY_KEYS): whoever can write the topic can change zone modes and exceptions");
  } else {
    log.info({ topic, partitions: highWatermarks.size, verifyKeys: [...options.verifyKeys.keys()] }, "following the control topic, applying only records signed by the verify keys");
  }

  return {
    caughtUp,
    snapshot: () => snapshot,
    close: () => consumer.disconnect(),
  };
}
