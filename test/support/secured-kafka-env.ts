/**
 * setupFiles of the `integration-secured` project, run in each test file's own copy of the
 * environment: points the file at the secured broker of secured-kafka-global-setup.ts, whose
 * address becomes FLOWZONE_KAFKA_BROKERS and whose principals' client properties files become
 * FLOWZONE_TEST_KAFKA_CONFIG_<PRINCIPAL> (see kafka.ts). The `integration` project's files never
 * see either, so they run on the plaintext broker as before.
 */
import { SECURED_PRINCIPALS } from "@flowzone/kafka-local";

import { testKafkaConfigVariable } from "./kafka";
import type { SecuredTestBroker } from "./secured-kafka-global-setup";

const exported = process.env.FLOWZONE_TEST_SECURED_KAFKA;
if (exported === undefined || exported === "") {
  throw new Error("FLOWZONE_TEST_SECURED_KAFKA is not set: run the integration-secured project through jest, whose globalSetup starts the secured broker");
}
const broker = JSON.parse(exported) as SecuredTestBroker;
process.env.FLOWZONE_KAFKA_BROKERS = broker.brokers;
for (const principal of SECURED_PRINCIPALS) process.env[testKafkaConfigVariable(principal)] = broker.clientProperties[principal];
