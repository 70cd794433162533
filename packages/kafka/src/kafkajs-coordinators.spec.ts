/**
 * kafkajs's transaction manager as patched (patches/kafkajs+2.2.4.patch; docs/reference/kafka.md,
 * "kafkajs, patched"): a transactional producer finds its transaction coordinator and each consumer
 * group's coordinator once and keeps them until one says it is not the coordinator or gives no
 * answer, where kafkajs as published sent a FindCoordinator request before every transactional
 * request; and an offset commit that a stale or still loading group coordinator refused is
 * retried, which kafkajs as published meant to do but looked for its errors under other names.
 * The cluster here is a fake that records lookups and requests; what a real broker does with the
 * same producer is in test/kafka/kafkajs-compat.kafka.test.ts.
 */

interface EosManager {
  initProducerId(): Promise<void>;
  beginTransaction(): void;
  addPartitionsToTransaction(topicData: { topic: string; partitions: { partition: number }[] }[]): Promise<void>;
  sendOffsets(offsets: { consumerGroupId: string; topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const createEosManager = require("kafkajs/src/producer/eosManager") as (options: {
  logger: unknown;
  cluster: FakeCluster;
  transactional: boolean;
  transactionalId: string;
}) => EosManager;
const { createErrorFromCode } = require("kafkajs/src/protocol/error") as { createErrorFromCode: (code: number) => Error & { type: string } };
const { KafkaJSConnectionError } = require("kafkajs/src/errors") as { KafkaJSConnectionError: new (message: string) => Error };
/* eslint-enable @typescript-eslint/no-require-imports */

const GROUP = 0;
const TRANSACTION = 1;
/** Kafka's error codes, raised as kafkajs's protocol layer raises them. */
const COORDINATOR_LOAD_IN_PROGRESS = 14;
const NOT_COORDINATOR = 16;
const CONCURRENT_TRANSACTIONS = 51;

class FakeBroker {
  /** Errors the next requests to this broker fail with, first one first. */
  readonly refusals: Error[] = [];

  constructor(
    readonly nodeId: number,
    private readonly requests: string[],
  ) {}

  private answer(api: string): Promise<void> {
    this.requests.push(`${api}@${this.nodeId}`);
    const refusal = this.refusals.shift();
    return refusal === undefined ? Promise.resolve() : Promise.reject(refusal);
  }

  async initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    await this.answer("InitProducerId");
    return { producerId: 7, producerEpoch: 0 };
  }
  addPartitionsToTxn = (): Promise<void> => this.answer("AddPartitionsToTxn");
  addOffsetsToTxn = (): Promise<void> => this.answer("AddOffsetsToTxn");
  txnOffsetCommit = (): Promise<void> => this.answer("TxnOffsetCommit");
  endTxn = (): Promise<void> => this.answer("EndTxn");
}

/** The part of kafkajs's Cluster the transaction manager uses. */
class FakeCluster {
  readonly lookups: string[] = [];
  readonly requests: string[] = [];
  readonly brokers = new Map([1, 2].map((nodeId) => [nodeId, new FakeBroker(nodeId, this.requests)]));
  /** The node each coordinator type is on now. */
  readonly coordinators: Map<number, number>;
  readonly retry = { retries: 2, initialRetryTime: 1, maxRetryTime: 5 };

  constructor(on = { group: 1, transaction: 1 }) {
    this.coordinators = new Map([
      [GROUP, on.group],
      [TRANSACTION, on.transaction],
    ]);
  }

  broker(nodeId: number): FakeBroker {
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) throw Object.assign(new Error(`Broker ${nodeId} not found in the cached metadata`), { name: "KafkaJSBrokerNotFound" });
    return broker;
  }

  refreshMetadataIfNecessary = (): Promise<void> => Promise.resolve();
  findBroker = ({ nodeId }: { nodeId: number }): Promise<FakeBroker> => Promise.resolve().then(() => this.broker(nodeId));

  findGroupCoordinator = ({ groupId, coordinatorType }: { groupId: string; coordinatorType: number }): Promise<FakeBroker> => {
    this.lookups.push(`${coordinatorType === TRANSACTION ? "transaction" : "group"} ${groupId}`);
    return this.findBroker({ nodeId: this.coordinators.get(coordinatorType) ?? -1 });
  };
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function producerOn(cluster: FakeCluster): Promise<EosManager> {
  const eos = createEosManager({ logger: silent, cluster, transactional: true, transactionalId: "tx" });
  await eos.initProducerId();
  return eos;
}

/** One consume-transform-produce transaction: a partition, the group's offsets, commit. */
async function transaction(eos: EosManager, offset: number): Promise<void> {
  eos.beginTransaction();
  await eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 0 }] }]);
  await eos.sendOffsets({ consumerGroupId: "group", topics: [{ topic: "in", partitions: [{ partition: 0, offset: String(offset) }] }] });
  await eos.commit();
}

describe("kafkajs's transaction manager, as installed", () => {
  it("finds the transaction coordinator and the group's coordinator once, for every transaction after", async () => {
    const cluster = new FakeCluster();
    const eos = await producerOn(cluster);
    for (let offset = 1; offset <= 3; offset++) await transaction(eos, offset);

    expect(cluster.lookups).toEqual(["transaction tx", "group group"]);
    expect(cluster.requests.filter((request) => request === "EndTxn@1")).toHaveLength(3);
  });

  it("finds the transaction coordinator again after a request to it fails, and sends there from then on", async () => {
    const cluster = new FakeCluster();
    const eos = await producerOn(cluster);
    await transaction(eos, 1);
    cluster.coordinators.set(TRANSACTION, 2);
    cluster.broker(1).refusals.push(createErrorFromCode(NOT_COORDINATOR));
    cluster.requests.length = 0;

    eos.beginTransaction();
    await expect(eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 0 }] }])).rejects.toMatchObject({ type: "NOT_COORDINATOR_FOR_GROUP" });
    await eos.abort();
    await transaction(eos, 2);

    expect(cluster.requests).toEqual(["AddPartitionsToTxn@1", "AddPartitionsToTxn@2", "AddOffsetsToTxn@2", "TxnOffsetCommit@1", "EndTxn@2"]);
    expect(cluster.lookups).toEqual(["transaction tx", "group group", "transaction tx"]);
  });

  it("aborts at the coordinator it finds again after a request to the old one failed", async () => {
    const cluster = new FakeCluster();
    const eos = await producerOn(cluster);
    cluster.coordinators.set(TRANSACTION, 2);
    eos.beginTransaction();
    await eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 0 }] }]);
    cluster.broker(1).refusals.push(createErrorFromCode(NOT_COORDINATOR));
    await expect(eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 1 }] }])).rejects.toMatchObject({ type: "NOT_COORDINATOR_FOR_GROUP" });
    await eos.abort();

    expect(cluster.requests).toEqual(["InitProducerId@1", "AddPartitionsToTxn@1", "AddPartitionsToTxn@1", "EndTxn@2"]);
    expect(cluster.lookups).toEqual(["transaction tx", "transaction tx"]);
  });

  it("keeps the coordinator when it answers with an error of the transaction's own", async () => {
    const cluster = new FakeCluster();
    const eos = await producerOn(cluster);
    eos.beginTransaction();
    cluster.broker(1).refusals.push(createErrorFromCode(CONCURRENT_TRANSACTIONS));
    await expect(eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 0 }] }])).rejects.toMatchObject({ type: "CONCURRENT_TRANSACTIONS" });
    await eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 0 }] }]);
    await eos.abort();

    expect(cluster.lookups).toEqual(["transaction tx"]);
    expect(cluster.requests).toEqual(["InitProducerId@1", "AddPartitionsToTxn@1", "AddPartitionsToTxn@1", "EndTxn@1"]);
  });

  it("finds the coordinator again after a request to it failed without an answer", async () => {
    const cluster = new FakeCluster();
    const eos = await producerOn(cluster);
    eos.beginTransaction();
    cluster.broker(1).refusals.push(new KafkaJSConnectionError("Connection error: ECONNRESET"));
    await expect(eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 0 }] }])).rejects.toThrow("ECONNRESET");
    await eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 0 }] }]);

    expect(cluster.lookups).toEqual(["transaction tx", "transaction tx"]);
  });

  it("finds a coordinator again when its broker has left the cluster's metadata", async () => {
    const cluster = new FakeCluster();
    const eos = await producerOn(cluster);
    await transaction(eos, 1);
    cluster.brokers.delete(1);
    cluster.coordinators.set(TRANSACTION, 2);
    cluster.coordinators.set(GROUP, 2);
    cluster.requests.length = 0;

    await transaction(eos, 2);

    expect(cluster.requests).toEqual(["AddPartitionsToTxn@2", "AddOffsetsToTxn@2", "TxnOffsetCommit@2", "EndTxn@2"]);
    expect(cluster.lookups).toEqual(["transaction tx", "group group", "transaction tx", "group group"]);
  });

  it("retries an offset commit a stale group coordinator refused at the coordinator it finds next", async () => {
    const cluster = new FakeCluster({ group: 1, transaction: 2 });
    const eos = await producerOn(cluster);
    await transaction(eos, 1);
    cluster.coordinators.set(GROUP, 2);
    cluster.broker(1).refusals.push(createErrorFromCode(NOT_COORDINATOR));
    cluster.requests.length = 0;

    await transaction(eos, 2);

    expect(cluster.requests).toEqual(["AddPartitionsToTxn@2", "AddOffsetsToTxn@2", "TxnOffsetCommit@1", "TxnOffsetCommit@2", "EndTxn@2"]);
    expect(cluster.lookups).toEqual(["transaction tx", "group group", "group group"]);
  });

  it("retries an offset commit while the group's coordinator is still loading the group", async () => {
    const cluster = new FakeCluster();
    const eos = await producerOn(cluster);
    await transaction(eos, 1);
    cluster.requests.length = 0;
    eos.beginTransaction();
    await eos.addPartitionsToTransaction([{ topic: "out", partitions: [{ partition: 0 }] }]);
    const coordinator = cluster.broker(1);
    const addOffsetsToTxn = coordinator.addOffsetsToTxn;
    coordinator.addOffsetsToTxn = async () => {
      await addOffsetsToTxn();
      coordinator.refusals.push(createErrorFromCode(COORDINATOR_LOAD_IN_PROGRESS), createErrorFromCode(COORDINATOR_LOAD_IN_PROGRESS));
    };

    await eos.sendOffsets({ consumerGroupId: "group", topics: [{ topic: "in", partitions: [{ partition: 0, offset: "2" }] }] });

    expect(cluster.requests).toEqual(["AddPartitionsToTxn@1", "AddOffsetsToTxn@1", "TxnOffsetCommit@1", "TxnOffsetCommit@1", "TxnOffsetCommit@1"]);
  });
});
