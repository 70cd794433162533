/** Ports and folders of one single-node KRaft broker. */
export interface BrokerLayout {
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly logDir: string;
}

/**
 * server.properties for a single-node broker in KRaft combined mode on loopback. The defaults
 * assume three brokers, so internal topics are set to one replica (transactions need
 * `transaction.state.log.*` at 1 or the coordinator never becomes available). `overrides` replace
 * or add settings (a secured broker's listeners).
 */
export function serverProperties(layout: BrokerLayout, overrides: Readonly<Record<string, string>> = {}): string {
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@127.0.0.1:${layout.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${layout.brokerPort},CONTROLLER://127.0.0.1:${layout.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${layout.brokerPort}`,
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": layout.logDir,
    "num.partitions": 1,
    "offsets.topic.replication.factor": 1,
    "offsets.topic.num.partitions": 4,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "transaction.state.log.num.partitions": 4,
    "group.initial.rebalance.delay.ms": 0,
    "auto.create.topics.enable": "true",
    "log.retention.hours": 24,
    ...overrides,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n")
    .concat("\n");
}

/** log4j 1 configuration sending the broker's log to stdout, where readiness is read. */
export const LOG4J_PROPERTIES = [
  "log4j.rootLogger=INFO, stdout",
  "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
  "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
  "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
  "log4j.logger.kafka=INFO",
  "log4j.logger.org.apache.kafka=WARN",
  "log4j.logger.state.change.logger=WARN",
  "",
].join("\n");
