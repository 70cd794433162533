export { ensureKafkaJars, type KafkaJarsOptions } from "./kafka-jars";
export { startLocalBroker, type LocalBroker, type LocalBrokerOptions } from "./local-broker";
export { freePort } from "./free-port";
export { provisionLocalBroker, type ProvisionOptions } from "./provision";
