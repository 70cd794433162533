/**
 * kafka-local's cluster (provisionLocalCluster): three KRaft nodes, each broker and controller, on
 * loopback. The topics flowzone creates (ensureTopics) are replicated three times with two replicas in
 * sync required. Transactions span partitions led by different brokers and are read exactly once
 * (read_committed); a node stopped gracefully and one killed each come back on the same address
 * and data, and the cluster keeps taking transactional writes while one is down.
 */
import { existsSync } from "node:fs";
import path from "node:path";

import { PartitionedSender, ProduceRequests, auditTopicSpec, ensureTopics, flowsTopicSpec } from "@flowzone/kafka";
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from "kafkajs";

import { awaitBrokerCount, provisionLocalCluster, type ClusterNode, type LocalCluster } from "../../packages/kafka-local/src/index";
import { uniqueTopic } from "../support/kafka";
import { waitUntil } from "../support/poll";
import { REPO_ROOT } from "../support/processes";
import { readCommittedExactly } from "../support/topic-tail";
import { createTopics } from "../support/topics";

const NODES = 3;

describe("a local Kafka cluster of three nodes", () => {
  let cluster: LocalCluster;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await provisionLocalCluster({ homeDir: path.join(REPO_ROOT, ".flowzone", "kafka"), brokers: NODES });
    kafka = new Kafka({ clientId: "local-cluster-test", brokers: cluster.brokers.split(","), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  }, 240_000);

  afterAll(async () => {
    await admin.disconnect();
    const folders = cluster.nodes.map((node) => path.dirname(node.logFile));
    await cluster.stop();
    expect(cluster.nodes.map((node) => node.running)).toEqual([false, false, false]);
    expect(folders.filter((folder) => existsSync(folder))).toEqual([]);
  }, 60_000);

  /**
   * Each partition's leader, how many replicas it has, and which are in sync, from the cluster's
   * metadata. A broker learns of a new topic from the metadata log a moment after the one that
   * created it, and answers UNKNOWN_TOPIC_OR_PARTITION meanwhile: that is asked again.
   */
  async function partitions(topic: string): Promise<{ partitionId: number; leader: number; replicas: number; isr: number[] }[]> {
    const { topics } = await waitUntil(`the metadata of ${topic}`, () => admin.fetchTopicMetadata({ topics: [topic] }), () => true, { timeoutMs: 15_000 });
    return (topics[0]?.partitions ?? []).map(({ partitionId, leader, replicas, isr }) => ({ partitionId, leader, replicas: replicas.length, isr: [...isr].sort() }));
  }

  /** Writes one record per partition in one transaction, committed or aborted, from a producer of its own. */
  async function transaction(topic: string, partitionCount: number, tag: string, outcome: "commit" | "abort"): Promise<void> {
    const producer = kafka.producer({ transactionalId: `local-cluster-${tag}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      for (let partition = 0; partition < partitionCount; partition++) {
        await txn.send({ topic, acks: -1, messages: [{ partition, value: `${tag}-${partition}` }] });
      }
      await (outcome === "commit" ? txn.commit() : txn.abort());
    } finally {
      await producer.disconnect();
    }
  }

  /**
   * The committed values of the topic, sorted, once every partition's record of `last` (the tag of
   * the last transaction) is among them: a commit is acknowledged once the coordinator has logged
   * it, and its markers reach the partitions a moment later (later still for a partition whose
   * leader moved), so a read right after it may not see all of that transaction yet.
   */
  async function committedValues(topic: string, last: string): Promise<string[]> {
    const read = async (): Promise<string[]> => (await readCommittedExactly(kafka, topic, { timeoutMs: 30_000 })).map((m) => m.value?.toString() ?? "").sort();
    return waitUntil(`the records of transaction "${last}" to be committed`, read, (values) => values.filter((value) => value.startsWith(`${last}-`)).length >= NODES, { timeoutMs: 60_000, intervalMs: 500 });
  }

  function nodeLeading(leader: number): ClusterNode {
    const node = cluster.nodes.find((candidate) => candidate.nodeId === leader);
    if (node === undefined) throw new Error(`no node ${leader} in the cluster`);
    return node;
  }

  it("lists its three nodes, each on its own loopback port", async () => {
    const addresses = cluster.brokers.split(",");
    expect(addresses).toHaveLength(NODES);
    expect(addresses.every((address) => /^127\.0\.0\.1:\d+$/.test(address))).toBe(true);
    expect(new Set(addresses).size).toBe(NODES);
    expect(cluster.nodes.map((node) => [node.nodeId, node.address, node.running])).toEqual(addresses.map((address, index) => [index + 1, address, true]));
    // A node that missed its heartbeats on a loaded machine is fenced, and left out of the metadata
    // until its next heartbeat (CI saw two of three once, on Kafka 3.9.1 under Node 24): the listing
    // is asked for until it holds all three, and a node that never comes back still fails it.
    const listed = await waitUntil(
      "the cluster's metadata to list every node",
      async () => (await admin.describeCluster()).brokers.map((broker) => `${broker.host}:${broker.port}`).sort(),
      (brokers) => brokers.length === NODES,
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(listed).toEqual([...addresses].sort());
  }, 60_000);

  it("creates flowzone's topics with three replicas, two of them in sync required", async () => {
    const specs = [auditTopicSpec(uniqueTopic("local-cluster-audit")), { topic: uniqueTopic("local-cluster-control"), compacted: true }, flowsTopicSpec(uniqueTopic("local-cluster-flows"))];
    // ensureTopics replicates as many times as the metadata lists brokers (up to three), and a node
    // that missed its heartbeats on a loaded machine is left out of it until it is back (CI saw two
    // replicas once, on Kafka 3.9.1): the three-replica case is asked of a whole cluster.
    await Promise.all(cluster.nodes.map((node) => awaitBrokerCount(node.address, NODES, 30_000)));
    await ensureTopics(kafka, specs);
    for (const spec of specs) {
      const layout = await partitions(spec.topic);
      expect(layout.map((partition) => partition.replicas)).toEqual(layout.map(() => NODES));
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.topic, configNames: ["min.insync.replicas"] }] });
      expect(resources[0]?.configEntries.map((entry) => [entry.configName, entry.configValue, entry.isDefault])).toEqual([["min.insync.replicas", "2", false]]);
    }
    expect((await partitions(specs[0]?.topic ?? "")).map((partition) => partition.replicas)).toEqual([3, 3, 3, 3, 3, 3]);
  }, 60_000);

  it("commits transactions across partitions led by different brokers, each record read once, aborted ones never", async () => {
    const topic = uniqueTopic("local-cluster-txn");
    await createTopics(kafka, [topic], { partitions: NODES });
    const layout = await partitions(topic);
    expect(new Set(layout.map((partition) => partition.leader)).size).toBeGreaterThan(1);
    expect(layout.every((partition) => partition.isr.length === NODES)).toBe(true);

    await transaction(topic, NODES, "one", "commit");
    await transaction(topic, NODES, "dropped", "abort");
    await transaction(topic, NODES, "two", "commit");

    expect(await committedValues(topic, "two")).toEqual(["one-0", "one-1", "one-2", "two-0", "two-1", "two-2"]);
  }, 90_000);

  it("keeps taking transactions with a node stopped, and the stopped node, then a killed one, come back on the same address and data", async () => {
    const topic = uniqueTopic("local-cluster-restart");
    await createTopics(kafka, [topic], { partitions: NODES });
    await transaction(topic, NODES, "before", "commit");

    const stopped = nodeLeading((await partitions(topic))[0]?.leader ?? 0);
    await stopped.stop();
    expect(stopped.running).toBe(false);
    await waitUntil("partition 0 to move to another leader", () => partitions(topic), (now) => now[0]?.leader !== stopped.nodeId, { timeoutMs: 30_000, intervalMs: 500 });
    await transaction(topic, NODES, "during", "commit");

    await stopped.start();
    expect(stopped.running).toBe(true);
    // A restarted node is up before every other node's metadata names it again: wait for the cluster to list it.
    await waitUntil("the restarted node listed by the cluster", () => admin.describeCluster(), (now) => now.brokers.map((broker) => broker.nodeId).sort().join() === "1,2,3", { timeoutMs: 30_000, intervalMs: 250 });
    await waitUntil("every replica back in sync", () => partitions(topic), (now) => now.every((partition) => partition.isr.length === NODES), { timeoutMs: 60_000, intervalMs: 500 });

    const killed = cluster.nodes.find((node) => node.nodeId !== stopped.nodeId) ?? stopped;
    await killed.kill();
    expect(killed.running).toBe(false);
    await killed.start();
    expect(killed.address).toBe(cluster.brokers.split(",")[killed.nodeId - 1]);
    await waitUntil("every replica back in sync after the kill", () => partitions(topic), (now) => now.every((partition) => partition.isr.length === NODES), { timeoutMs: 60_000, intervalMs: 500 });
    await transaction(topic, NODES, "after", "commit");

    expect(await committedValues(topic, "after")).toEqual(["after-0", "after-1", "after-2", "before-0", "before-1", "before-2", "during-0", "during-1", "during-2"]);
  }, 360_000);
  it("loses and duplicates nothing through a node stop when every transaction's sends go out leader by leader, watched (PartitionedSender)", async () => {
    // kafkajs alone, retrying a send that spans several leaders while one stops, can skip a
    // partition or send it twice inside the transaction (see PartitionedSender); it does not
    // always, so this asserts only the fixed path: each of ROUNDS transactions, retried whole
    // after any failure (the sender's own refusal of a send kafkajs retried included), is read
    // exactly once.
    const topic = uniqueTopic("local-cluster-partitioned");
    const PARTITIONS = 6;
    const ROUNDS = 60;
    const PER_ROUND = 48;
    await createTopics(kafka, [topic], { partitions: PARTITIONS });
    const producer = kafka.producer({ transactionalId: "local-cluster-partitioned", idempotent: true, maxInFlightRequests: 1, retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2_000 } });
    const sender = new PartitionedSender(kafka);
    const requests = new ProduceRequests(producer);
    await producer.connect();
    const stopped = nodeLeading((await partitions(topic))[0]?.leader ?? 0);
    let retries = 0;
    // Stopped while transactions go on (a graceful stop moves its leaderships away mid-send).
    let stopping: Promise<void> = Promise.resolve();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        if (round === ROUNDS / 3) stopping = stopped.stop();
        if (round === (2 * ROUNDS) / 3) {
          await stopping;
          await stopped.start();
        }
        const messages = Array.from({ length: PER_ROUND }, (_, i) => ({ key: `k${i}`, value: `r${round}-${i}` }));
        for (;;) {
          const txn = await producer.transaction();
          try {
            await sender.send([{ topic, messages }], (topicMessages) => txn.sendBatch({ topicMessages, acks: -1 }), requests);
            await txn.commit();
            break;
          } catch {
            retries += 1;
            await txn.abort().catch(() => undefined);
            expect(retries).toBeLessThan(200);
          }
        }
      }
    } finally {
      await stopping.catch(() => undefined);
      await sender.close();
      await producer.disconnect();
    }
    expect(stopped.running).toBe(true);
    const last = `r${ROUNDS - 1}-`;
    const values = await waitUntil(
      "the last transaction's records to be committed",
      async () => (await readCommittedExactly(kafka, topic, { timeoutMs: 30_000 })).map((m) => m.value?.toString() ?? ""),
      (now) => now.filter((value) => value.startsWith(last)).length === PER_ROUND,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const expected = Array.from({ length: ROUNDS * PER_ROUND }, (_, n) => `r${Math.floor(n / PER_ROUND)}-${n % PER_ROUND}`);
    expect(values.length).toBe(expected.length);
    expect([...values].sort()).toEqual(expected.sort());
  }, 300_000);
});
