import { collectingLogger, type LogLine } from "../../../test/support/logger";
import { createKafka } from "./create-kafka";

function kafkaWithLines(): { lines: LogLine[]; kafka: ReturnType<typeof createKafka> } {
  const { logger, lines } = collectingLogger("debug");
  // No connection is opened: kafkajs connects on connect(), and these tests only log through it.
  return { lines, kafka: createKafka({ brokers: ["127.0.0.1:1"], clientId: "bridge-test", logger }) };
}

describe("createKafka's log bridge", () => {
  it("writes a coordinator not yet available at debug, with kafkajs' namespace and without its timestamp", () => {
    const { lines, kafka } = kafkaWithLines();
    kafka.logger().namespace("Connection").error("Response GroupCoordinator(key: 10, version: 2)", { error: "The group coordinator is not available", correlationId: 2 });
    expect(lines).toEqual([
      expect.objectContaining({ level: 20, component: "kafkajs", namespace: "Connection", error: "The group coordinator is not available", msg: "Response GroupCoordinator(key: 10, version: 2)" }),
    ]);
    expect(lines[0]).not.toHaveProperty("timestamp");
    expect(lines[0]).not.toHaveProperty("logger");
  });

  it("keeps a real error at error", () => {
    const { lines, kafka } = kafkaWithLines();
    kafka.logger().namespace("Consumer").error("Crash: KafkaJSNumberOfRetriesExceeded: The group coordinator is not available", { groupId: "g" });
    expect(lines).toEqual([expect.objectContaining({ level: 50, namespace: "Consumer", groupId: "g" })]);
  });
});
