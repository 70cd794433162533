import { create, toBinary } from "@bufbuild/protobuf";
import { followControlTopic, type ControlSnapshot } from "@flowzone/control-feed";
import { createKafka } from "@flowzone/kafka";
import { ControlRecordSchema, Mode } from "@flowzone/proto";

import { testBrokers, uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { createTopics, produce } from "../support/topics";

const { logger } = collectingLogger("warn");
const kafka = createKafka({ brokers: testBrokers(), clientId: "control-feed-test", logger });

const zoneMode = (zone: string, mode: Mode, epoch: bigint): { key: string; value: Buffer } => ({
  key: `zone/${zone}`,
  value: Buffer.from(toBinary(ControlRecordSchema, create(ControlRecordSchema, { epoch, item: { case: "zoneMode", value: { zone, mode } } }))),
});

describe("following the control topic", () => {
  it("replays what is there before it says it caught up, then delivers each change", async () => {
    const topic = uniqueTopic("control");
    await createTopics(kafka, [topic]);
    await produce(kafka, topic, [zoneMode("banana", Mode.ENFORCEMENT, 1n), zoneMode("pii", Mode.LOGGING, 2n), zoneMode("banana", Mode.LOGGING, 3n)]);

    const changes: ControlSnapshot[] = [];
    const feed = await followControlTopic({ kafka, logger, topic, onChange: (s) => changes.push(s) });
    try {
      const replayed = await feed.caughtUp;
      expect(replayed.epoch).toBe(3);
      expect(replayed.zoneModes).toEqual(new Map([["banana", "logging"], ["pii", "logging"]]));
      expect(changes).toHaveLength(1);

      await produce(kafka, topic, [zoneMode("banana", Mode.ENFORCEMENT, 4n)]);
      await waitUntil("the feed to reach epoch 4", () => feed.snapshot().epoch, (epoch) => epoch >= 4, { timeoutMs: 15_000, intervalMs: 20 });
      expect(feed.snapshot().epoch).toBe(4);
      expect(feed.snapshot().zoneModes.get("banana")).toBe("enforcement");
      expect(changes.at(-1)?.epoch).toBe(4);
    } finally {
      await feed.close();
    }
  });

  it("is caught up at once on an empty topic", async () => {
    const feed = await followControlTopic({ kafka, logger, topic: uniqueTopic("control-empty"), onChange: () => undefined });
    try {
      expect((await feed.caughtUp).epoch).toBe(0);
    } finally {
      await feed.close();
    }
  });
});
