/** Ports, folder and quorum of one KRaft node (broker and controller in one process) on loopback. */
export interface NodeLayout {
  readonly nodeId: number;
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly logDir: string;
  /** `controller.quorum.voters`: `id@127.0.0.1:controllerPort` of every node, comma-separated. */
  readonly voters: string;
  /** How many nodes the cluster has (1 for the single broker). */
  readonly clusterSize: number;
}

/**
 * Replicas of the cluster's internal topics and of topics created without a factor: three, or
 * every node of a smaller cluster. With three or more, two of them must acknowledge a write
 * (`min.insync.replicas`), so a node may go down without losing an acknowledged record or
 * stopping writes; with fewer, one. This is the rule flowzone's own topics follow too
 * (packages/kafka's ensureTopics), so the local cluster behaves like a production one.
 */
export function replication(clusterSize: number): { readonly factor: number; readonly minInSync: number } {
  const factor = Math.min(3, clusterSize);
  return { factor, minInSync: factor >= 3 ? 2 : 1 };
}

/**
 * server.properties for a KRaft node in combined mode (broker and controller) on loopback, with a
 * static quorum of every node. Kafka's defaults assume three brokers, so the internal topics
 * (`__consumer_offsets`, `__transaction_state`) get {@link replication}'s factor and minimum:
 * transactions need `transaction.state.log.*` within the cluster's size, or the coordinator never
 * becomes available. `overrides` replace or add settings (a secured broker's listeners).
 */
export function serverProperties(layout: NodeLayout, overrides: Readonly<Record<string, string>> = {}): string {
  const { factor, minInSync } = replication(layout.clusterSize);
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": layout.nodeId,
    "controller.quorum.voters": layout.voters,
    listeners: `PLAINTEXT://127.0.0.1:${layout.brokerPort},CONTROLLER://127.0.0.1:${layout.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${layout.brokerPort}`,
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": layout.logDir,
    "num.partitions": 1,
    "default.replication.factor": factor,
    "min.insync.replicas": minInSync,
    "offsets.topic.replication.factor": factor,
    "offsets.topic.num.partitions": 4,
    "transaction.state.log.replication.factor": factor,
    "transaction.state.log.min.isr": minInSync,
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
