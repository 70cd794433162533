import { EventEmitter } from "node:events";
import { Partitioners, type Kafka, type Message, type Producer, type RecordMetadata, type TopicMessages } from "kafkajs";

import { PartitionedSender, checkAnswers, groupByLeader, splitByPartition } from "./partitioned-send";
import { ProduceRequests } from "./produce-requests";

const keyed = (key: string, value = key): Message => ({ key, value });

describe("splitByPartition", () => {
  it("sends each partition of each topic on its own, in the order given, every message once", () => {
    const messages = Array.from({ length: 40 }, (_, i) => keyed(`k${i % 13}`, `v${i}`));
    const parts = splitByPartition([{ topic: "out", messages }, { topic: "audit", messages: [keyed("a"), keyed("b")] }], () => 6, Partitioners.DefaultPartitioner());

    for (const part of parts) {
      expect(part).toHaveLength(1);
      expect(new Set(part[0]?.messages.map((m) => m.partition)).size).toBe(1);
    }
    const outParts = parts.filter((part) => part[0]?.topic === "out");
    expect(outParts.length).toBeGreaterThan(1);
    expect(outParts.flatMap((part) => part[0]?.messages.map((m) => m.value) ?? []).sort()).toEqual(messages.map((m) => m.value).sort());
    for (const part of outParts) {
      const values = part[0]?.messages.map((m) => m.value) ?? [];
      expect(values).toEqual(messages.map((m) => m.value).filter((v) => values.includes(v ?? null)));
    }
    expect(parts.filter((part) => part[0]?.topic === "audit").flatMap((part) => part[0]?.messages.map((m) => m.value) ?? []).sort()).toEqual(["a", "b"]);
  });

  it("puts a key where kafkajs's default partitioner does, the same key always together, within the topic's partitions", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const messages = ["alpha", "beta", "gamma", "alpha", "delta", "beta"].map((key) => keyed(key));
    const parts = splitByPartition([{ topic: "t", messages }], () => 4, partitioner);
    const partitionOfKey = new Map<string, number>();
    for (const message of parts.flatMap((part) => part[0]?.messages ?? [])) {
      const key = String(message.key);
      const partition = message.partition ?? -1;
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(4);
      expect(partitionOfKey.get(key) ?? partition).toBe(partition);
      partitionOfKey.set(key, partition);
    }
    const reference = Partitioners.DefaultPartitioner();
    const metadata = Array.from({ length: 4 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    for (const [key, partition] of partitionOfKey) expect(reference({ topic: "t", partitionMetadata: metadata, message: keyed(key) })).toBe(partition);
  });

  it("asks kafkajs's partitioner only for messages without a key, and puts keyed ones where it would", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitioner = jest.fn(kafkajs);
    const messages: Message[] = [
      ...Array.from({ length: 30 }, (_, i) => keyed(`zone-${i % 3}`, `v${i}`)),
      { key: Buffer.from("zone-0"), value: "buffer key" },
      { key: "zone-1", value: "own partition", partition: 2 },
      { value: "no key" },
    ];
    const parts = splitByPartition([{ topic: "t", messages }], () => 4, partitioner);
    expect(partitioner).toHaveBeenCalledTimes(1);
    const metadata = Array.from({ length: 4 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const reference = Partitioners.DefaultPartitioner();
    const all = parts.flatMap((part) => part[0]?.messages ?? []);
    for (const message of all.filter((m) => typeof m.key === "string" && m.value !== "own partition")) {
      expect(message.partition).toBe(reference({ topic: "t", partitionMetadata: metadata, message: { ...message, partition: undefined } }));
    }
    expect(all.find((m) => m.value === "own partition")?.partition).toBe(2);
    expect(all.find((m) => m.value === "buffer key")?.partition).toBe(all.find((m) => m.key === "zone-0")?.partition);
    expect(all.find((m) => m.value === "buffer key")?.partition).toBe(reference({ topic: "t", partitionMetadata: metadata, message: { key: Buffer.from("zone-0"), value: null } }));
  });

  it("keeps a message's own partition and spreads messages without a key", () => {
    const messages: Message[] = [{ value: "pinned", partition: 2 }, ...Array.from({ length: 6 }, (_, i) => ({ value: `free-${i}` }))];
    const parts = splitByPartition([{ topic: "t", messages }], () => 3, Partitioners.DefaultPartitioner());
    const all = parts.flatMap((part) => part[0]?.messages ?? []);
    expect(all.find((m) => m.value === "pinned")?.partition).toBe(2);
    expect(new Set(all.filter((m) => m.value !== "pinned").map((m) => m.partition))).toEqual(new Set([0, 1, 2]));
  });

  it("leaves a topic whose partition count is unknown as one send, its messages untouched", () => {
    const topicMessages: TopicMessages[] = [{ topic: "unknown", messages: [keyed("a"), keyed("b")] }];
    expect(splitByPartition(topicMessages, () => undefined, Partitioners.DefaultPartitioner())).toEqual([topicMessages]);
  });
});

describe("groupByLeader", () => {
  const parts = splitByPartition([{ topic: "out", messages: Array.from({ length: 30 }, (_, i) => keyed(`k${i}`)) }, { topic: "audit", messages: [keyed("a"), keyed("b"), keyed("c")] }], () => 4, Partitioners.DefaultPartitioner());

  it("puts every partition a broker leads, of every topic, in one send to it, each partition's messages in order", () => {
    const groups = groupByLeader(parts, (_topic, partition) => partition % 2) ?? [];
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      const partitions = group.flatMap(({ messages }) => messages.map((m) => m.partition ?? -1));
      expect(new Set(partitions.map((p) => p % 2)).size).toBe(1);
    }
    const sent = groups.flatMap((group) => group.flatMap(({ topic, messages }) => messages.map((m) => `${topic}/${m.partition}/${String(m.value)}`)));
    const split = parts.flatMap((part) => part.flatMap(({ topic, messages }) => messages.map((m) => `${topic}/${m.partition}/${String(m.value)}`)));
    expect([...sent].sort()).toEqual([...split].sort());
    for (const partition of [0, 1, 2, 3]) {
      const only = (list: string[]) => list.filter((entry) => entry.startsWith(`out/${partition}/`));
      expect(only(sent)).toEqual(only(split));
    }
  });

  it("gives up (undefined) when a leader is unknown or a topic was not split by partition", () => {
    expect(groupByLeader(parts, (_topic, partition) => (partition === 3 ? -1 : 1))).toBeUndefined();
    expect(groupByLeader([[{ topic: "whole", messages: [keyed("a")] }]], () => 1)).toBeUndefined();
  });
});

describe("checkAnswers", () => {
  const parts: TopicMessages[][] = [0, 1, 2].map((partition) => [{ topic: "t", messages: [{ key: "k", value: "v", partition }] }]);
  const answer = (partition: number, topicName = "t"): RecordMetadata => ({ topicName, partition, errorCode: 0 });

  it("names the partitions no answer names, and tells a partition answered twice", () => {
    expect(checkAnswers(parts, [answer(0), answer(1), answer(2)])).toEqual({ missing: [], repeated: false });
    expect(checkAnswers(parts, [answer(0), answer(2), answer(1, "other")])).toEqual({ missing: [parts[1]], repeated: false });
    expect(checkAnswers(parts, [answer(0), answer(1), answer(2), answer(1)]).repeated).toBe(true);
  });
});

describe("PartitionedSender", () => {
  /** A producer whose REQUEST event the test fires, as kafkajs does when a Produce answer arrives. */
  const fakeProducer = () => {
    const emitter = new EventEmitter();
    const producer = {
      events: { REQUEST: "producer.network.request" },
      on: (event: string, listener: (e: unknown) => void) => {
        emitter.on(event, listener);
        return () => emitter.off(event, listener);
      },
    } as unknown as Pick<Producer, "on" | "events">;
    const answered = (broker: string, apiName = "Produce") => emitter.emit("producer.network.request", { payload: { broker, apiName } });
    return { producer, answered };
  };
  /** Two brokers: partitions 0 and 2 led by 1, partition 1 by 2. */
  const kafka = {
    admin: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      fetchTopicMetadata: () => Promise.resolve({ topics: [{ name: "t", partitions: [0, 1, 2].map((partitionId) => ({ partitionId, leader: partitionId === 1 ? 2 : 1 })) }] }),
    }),
  } as unknown as Pick<Kafka, "admin">;
  const messages = Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
  const answersOf = (topicMessages: TopicMessages[]): RecordMetadata[] =>
    [...new Set(topicMessages.flatMap(({ messages: ms }) => ms.map((m) => m.partition ?? -1)))].map((partition) => ({ topicName: "t", partition, errorCode: 0 }));

  it("sends once per leader, and exactly once resolves when each leader answered one Produce request", async () => {
    const { producer, answered } = fakeProducer();
    const sends: TopicMessages[][] = [];
    const sender = new PartitionedSender(kafka);
    const result = await sender.send([{ topic: "t", messages }], (topicMessages) => {
      sends.push(topicMessages);
      answered(topicMessages[0]?.messages[0]?.partition === 1 ? "b2:9092" : "b1:9092");
      answered("b1:9092", "AddPartitionsToTxn");
      return Promise.resolve(answersOf(topicMessages));
    }, new ProduceRequests(producer));
    expect(sends).toHaveLength(2);
    expect(result.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
  });

  it("exactly once, fails a send one broker answered twice, and one that left a partition unanswered", async () => {
    const { producer, answered } = fakeProducer();
    const requests = new ProduceRequests(producer);
    const sender = new PartitionedSender(kafka);
    await expect(sender.send([{ topic: "t", messages }], (topicMessages) => {
      answered("b1:9092");
      return Promise.resolve(answersOf(topicMessages));
    }, requests)).rejects.toThrow(/sent part of a transaction's records again .*2 produce answers from 1 brokers for 2 leaders.*must be aborted/);
    await expect(sender.send([{ topic: "t", messages }], (topicMessages) => {
      const partition = topicMessages[0]?.messages[0]?.partition;
      answered(partition === 1 ? "b2:9092" : "b1:9092");
      return Promise.resolve(answersOf(topicMessages).filter((answer) => answer.partition !== 2));
    }, requests)).rejects.toThrow(/1 partitions unanswered/);
  });

  it("at least once, sends a partition left unanswered again on its own", async () => {
    const sends: number[][] = [];
    const sender = new PartitionedSender(kafka);
    const result = await sender.send([{ topic: "t", messages }], (topicMessages) => {
      const partitions = [...new Set(topicMessages.flatMap(({ messages: ms }) => ms.map((m) => m.partition ?? -1)))];
      sends.push(partitions);
      return Promise.resolve(answersOf(topicMessages).filter((answer) => sends.length > 2 || answer.partition !== 2));
    });
    expect(sends.slice(2)).toEqual([[2]]);
    expect(result.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
  });
});
