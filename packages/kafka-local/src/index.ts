export { ensureKafkaJars, type KafkaJarsOptions } from "./kafka-jars";
export { startLocalBroker, type BrokerSecurity, type LocalBroker, type LocalBrokerOptions } from "./local-broker";
export { startSecuredBroker, type SecuredBroker, type SecuredBrokerOptions } from "./secured-broker";
export { ACL_TOPICS, SECURED_PRINCIPALS, type SecuredPrincipal } from "./secured-broker-principals";
export { freePort } from "./free-port";
export { provisionLocalBroker, provisionSecuredBroker, type ProvisionOptions } from "./provision";
