/**
 * One decision-service replica of the propagation benchmark in its own process, as `flowzone
 * pdp` runs it with Kafka: startDecisionService on 127.0.0.1, port 0, following the control
 * topic and writing the audit trail. Prints {"benchPort": N, "policyVersion": V} once serving,
 * then one {"benchFeed": FeedBatch} line per batch its follower takes from the control topic
 * (kafkajs instrumentation events on the consumers this process creates: a diagnostic of the
 * benchmark, no package changes). Exits when its stdin closes.
 *
 * Usage: node pdp-child.js '<PdpChildConfig as JSON>'
 */
import { CONTROL_TOPIC } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import { decisionServiceConfig, startDecisionService } from "@flowzone/pdp";
import { Kafka } from "kafkajs";
import type { ConsumerConfig } from "kafkajs";

import type { FeedBatchLine, PdpChildConfig, PdpReady } from "./child-protocol";
import { wallMs } from "./settings";

/** Reports how each control-topic batch reached this replica. */
function instrumentControlFollower(): void {
  // Kept to be called with the right `this` (consumer.call below): a prototype patch, not a detached call.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const consumer = Kafka.prototype.consumer;
  Kafka.prototype.consumer = function (this: Kafka, config: ConsumerConfig) {
    const c = consumer.call(this, config);
    let fetchStart = NaN;
    let lastFetch = { fetchStart: NaN, fetchEnd: NaN };
    const starts = new Map<string, { fetchStart: number; fetchEnd: number; batchStart: number }>();
    c.on(c.events.FETCH_START, () => {
      fetchStart = wallMs();
    });
    c.on(c.events.FETCH, () => {
      lastFetch = { fetchStart, fetchEnd: wallMs() };
    });
    c.on(c.events.START_BATCH_PROCESS, (event) => {
      if (event.payload.topic === CONTROL_TOPIC) starts.set(event.payload.firstOffset, { ...lastFetch, batchStart: wallMs() });
    });
    c.on(c.events.END_BATCH_PROCESS, (event) => {
      const { topic, firstOffset, lastOffset } = event.payload;
      if (topic !== CONTROL_TOPIC) return;
      const begun = starts.get(firstOffset) ?? { fetchStart: NaN, fetchEnd: NaN, batchStart: NaN };
      const line: FeedBatchLine = { benchFeed: { ...begun, applied: wallMs(), firstOffset, lastOffset } };
      starts.delete(firstOffset);
      process.stdout.write(`${JSON.stringify(line)}\n`);
    });
    return c;
  };
}

async function main(): Promise<void> {
  const text = process.argv[2];
  if (text === undefined) throw new Error("usage: pdp-child '<config json>'");
  const config = JSON.parse(text) as PdpChildConfig;
  instrumentControlFollower();
  const options = decisionServiceConfig({ env: {}, flags: { policy: config.policyDir, host: "127.0.0.1", port: "0", brokers: config.brokers, "audit-spool": config.auditSpoolDir } });
  const service = await startDecisionService({ ...options, logger: createLogger({ level: "warn", service: "flowzone-bench-pdp" }) });
  const ready: PdpReady = { benchPort: service.port, policyVersion: service.policyVersion() };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    void service.close(0).finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
