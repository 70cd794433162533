/**
 * jest globalSetup: gives every test a real Kafka broker through FLOWZONE_KAFKA_BROKERS.
 * An external broker wins when the variable is already set; otherwise the local single-node
 * KRaft broker is provisioned from Maven Central jars (cached under .flowzone/kafka) and started.
 * Workers inherit process.env, which is how the address reaches the tests.
 */
import path from "node:path";

import { provisionLocalBroker, type LocalBroker } from "../../packages/kafka-local/src/index";

declare global {
  var flowzoneLocalBroker: LocalBroker | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.FLOWZONE_KAFKA_BROKERS !== undefined && process.env.FLOWZONE_KAFKA_BROKERS !== "") return;
  const homeDir = path.join(__dirname, "..", "..", ".flowzone", "kafka");
  const broker = await provisionLocalBroker({
    homeDir,
    onProgress: (line) => {
      process.stderr.write(`\nkafka-local: ${line}`);
    },
  });
  process.stderr.write(`\nkafka-local: broker ready at ${broker.brokers}\n`);
  globalThis.flowzoneLocalBroker = broker;
  process.env.FLOWZONE_KAFKA_BROKERS = broker.brokers;
}
