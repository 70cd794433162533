export { ensureKafkaJars, type KafkaJarsOptions } from "./kafka-jars";
export { configuredKafkaVersion, DEFAULT_KAFKA_VERSION, KAFKA_VERSION_SETTING, kafkaVersionOf, parseKafkaVersion, type KafkaVersion } from "./kafka-version";
export { startLocalBroker, type BrokerSecurity, type LocalBroker, type LocalBrokerOptions } from "./local-broker";
export { startLocalCluster, type ClusterNode, type LocalCluster, type LocalClusterOptions } from "./local-cluster";
export { awaitBrokerCount } from "./cluster-membership";
export { startSecuredBroker, type SecuredBroker, type SecuredBrokerOptions } from "./secured-broker";
export { ACL_TOPICS, SECURED_PRINCIPALS, type SecuredPrincipal } from "./secured-broker-principals";
export { freePort } from "./free-port";
export { provisionLocalBroker, provisionLocalCluster, provisionSecuredBroker, type ProvisionOptions } from "./provision";
