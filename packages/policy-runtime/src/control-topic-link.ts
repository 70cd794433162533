import type { Kafka } from "kafkajs";

import { followControlTopic, type ControlFeed, type ControlFeedOptions, type ControlRejection, type ControlSnapshot } from "@flowzone/control-feed";
import { backoffDelayMs } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

import type { ControlTopicStatus } from "./control-topic-status";
import { CONTROL_TOPIC_RETRY } from "./retry-pause";

export interface ControlTopicLinkOptions {
  readonly kafka: Kafka;
  /** The root logger; the link logs as component `policy`. */
  readonly logger: Logger;
  readonly topic?: string;
  readonly onChange: (snapshot: ControlSnapshot) => void;
  /** Given, only records signed by one of these keys apply; the others go to `onRejected`. */
  readonly verifyKeys?: ControlFeedOptions["verifyKeys"];
  readonly onRejected?: ((rejection: ControlRejection) => void) | undefined;
  /**
   * True: the first attempt must succeed (its error is thrown). False: a failed first attempt
   * is retried in the background until the topic has been read or the link is closed.
   */
  readonly required: boolean;
  /** Runs before each attempt to follow, counted as part of it (the decision service creates its audit topic here). */
  readonly prepare?: () => Promise<void>;
}

/**
 * Follows the control topic, retrying while Kafka is unreachable. Resolves after the first
 * attempt: with the topic read, or (when not `required`) with the attempts going on in the
 * background. Failures are logged at the 1st, 2nd, 4th, 8th… attempt, so a long outage says it
 * is still going without filling the log.
 */
export async function linkControlTopic(options: ControlTopicLinkOptions): Promise<ControlTopicLink> {
  const link = new ControlTopicLink(options);
  try {
    await link.attempt();
  } catch (error) {
    if (options.required) throw error;
    link.retryInBackground(error);
  }
  return link;
}

/** A decision point's link to the control topic; see {@link linkControlTopic}. */
export class ControlTopicLink {
  private feed: ControlFeed | undefined;
  private read = false;
  private attempts = 0;
  private lastError: string | undefined;
  private closed = false;
  private readonly listeners: (() => void)[] = [];
  private loop: Promise<void> = Promise.resolve();
  private wake: () => void = () => undefined;
  private readonly closing: Promise<void>;
  private readonly log: Logger;

  constructor(private readonly options: ControlTopicLinkOptions) {
    this.log = options.logger.child({ component: "policy" });
    this.closing = new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  status(): ControlTopicStatus {
    return this.read ? { state: "read" } : { state: "waiting", attempts: this.attempts, lastError: this.lastError };
  }

  /** Calls `listener` once the topic has been read (at once if it has been already). */
  onRead(listener: () => void): void {
    if (this.read) listener();
    else this.listeners.push(listener);
  }

  /** Stops retrying (an attempt in flight is waited for, bounded by kafkajs' retries) and stops following. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.loop;
    await this.feed?.close();
  }

  /** One attempt (by {@link linkControlTopic}): prepare, follow, replay to the end. A feed that fails midway is closed again. */
  async attempt(): Promise<void> {
    let feed: ControlFeed | undefined;
    try {
      await this.options.prepare?.();
      feed = await followControlTopic({
        kafka: this.options.kafka,
        logger: this.options.logger,
        onChange: this.options.onChange,
        verifyKeys: this.options.verifyKeys,
        onRejected: this.options.onRejected,
        ...(this.options.topic === undefined ? {} : { topic: this.options.topic }),
      });
      // A replay cut short by a broker going away again resumes inside kafkajs; close() must not wait for it.
      await Promise.race([feed.caughtUp, this.closing]);
    } catch (error) {
      await feed?.close().catch(() => undefined);
      throw error;
    }
    this.feed = feed;
    if (this.closed) return;
    this.read = true;
    if (this.attempts > 0) this.log.info({ failedAttempts: this.attempts }, "control topic read: Kafka answers, deciding under the current state");
    for (const listener of this.listeners.splice(0)) listener();
  }

  /** Counts the failed first attempt and retries, pausing between attempts, until read or closed. */
  retryInBackground(firstError: unknown): void {
    this.failed(firstError);
    this.loop = (async () => {
      for (;;) {
        await this.pause(backoffDelayMs(CONTROL_TOPIC_RETRY, this.attempts));
        if (this.closed) return;
        try {
          await this.attempt();
          return;
        } catch (error) {
          this.failed(error);
        }
      }
    })();
  }

  private failed(error: unknown): void {
    this.attempts += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
    if ((this.attempts & (this.attempts - 1)) !== 0) return;
    this.log.warn(
      { err: error, attempts: this.attempts },
      "cannot read the control topic (Kafka unreachable): deciding under the policy directory's bundle, not ready until the topic has been read; retrying",
    );
  }

  private pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([this.closing, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => {
      clearTimeout(timer);
    });
  }
}
