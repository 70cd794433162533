/**
 * jest globalSetup of the `integration-secured` project: kafka-local's secured broker (SASL_SSL,
 * SCRAM-SHA-256, flowzone's ACLs), provisioned like the plaintext one (jars cached under
 * .flowzone/kafka) on free ports of its own, so both brokers run side by side in one jest run.
 * jest runs every selected project's globalSetup in its one main process, whose environment the
 * test files of ALL projects inherit: the broker is exported as FLOWZONE_TEST_SECURED_KAFKA, which
 * only this project's setup file (secured-kafka-env.ts) reads.
 */
import path from "node:path";

import { provisionSecuredBroker, type SecuredBroker } from "../../packages/kafka-local/src/index";

declare global {
  var flowzoneSecuredBroker: SecuredBroker | undefined;
}

/** What FLOWZONE_TEST_SECURED_KAFKA holds, as JSON. */
export interface SecuredTestBroker {
  readonly brokers: string;
  readonly clientProperties: SecuredBroker["clientProperties"];
}

export default async function globalSetup(): Promise<void> {
  const broker = await provisionSecuredBroker({
    homeDir: path.join(__dirname, "..", "..", ".flowzone", "kafka"),
    onProgress: (line) => {
      process.stderr.write(`\nkafka-local: ${line}`);
    },
  });
  process.stderr.write(`\nkafka-local: secured broker ready at ${broker.brokers}\n`);
  globalThis.flowzoneSecuredBroker = broker;
  const exported: SecuredTestBroker = { brokers: broker.brokers, clientProperties: broker.clientProperties };
  process.env.FLOWZONE_TEST_SECURED_KAFKA = JSON.stringify(exported);
}
