import { create, toBinary } from "@bufbuild/protobuf";
import { followControlTopic, type ControlSnapshot } from "@flowzone/control-feed";
import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import { ControlRecordSchema, Mode } from "@flowzone/proto";

import { testBrokers, uniqueTopic } from "../support/kafka";

const logger = createLogger({ level: "warn" });
const kafka = createKafka({ brokers: testBrokers(), clientId: "control-feed-test", logger });

const zoneMode = (zone: string, mode: Mode, epoch: bigint): { key: string; value: Buffer } => ({
  key: `zone/${zone}`,
  value: Buffer.from(toBinary(ControlRecordSchema, create(ControlRecordSchema, { epoch, item: { case: "zoneMode", value: { zone, mode } } }))),
});

describe("following the control topic", () => {
  it("replays what is there before it says it caught up, then delivers each change", async () => {
    const topic = uniqueTopic("control");
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [zoneMode("banana", Mode.ENFORCEMENT, 1n), zoneMode("pii", Mode.LOGGING, 2n), zoneMode("banana", Mode.LOGGING, 3n)] });

    const changes: ControlSnapshot[] = [];
    const feed = await followControlTopic({ kafka, logger, topic, onChange: (s) => changes.push(s) });
    try {
      const replayed = await feed.caughtUp;
      expect(replayed.epoch).toBe(3);
      expect(replayed.zoneModes).toEqual(new Map([["banana", "logging"], ["pii", "logging"]]));
      expect(changes).toHaveLength(1);

      await producer.send({ topic, acks: -1, messages: [zoneMode("banana", Mode.ENFORCEMENT, 4n)] });
      const deadline = Date.now() + 15_000;
      while (feed.snapshot().epoch < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(feed.snapshot().zoneModes.get("banana")).toBe("enforcement");
      expect(changes.at(-1)?.epoch).toBe(4);
    } finally {
      await feed.close();
      await producer.disconnect();
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
