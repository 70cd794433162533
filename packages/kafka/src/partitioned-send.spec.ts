import { Partitioners, type Message, type TopicMessages } from "kafkajs";

import { splitByPartition } from "./partitioned-send";

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

  it("asks the partitioner once per string key, and for each message with a Buffer key, no key or its own partition", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitioner = jest.fn(kafkajs);
    const messages: Message[] = [
      ...Array.from({ length: 30 }, (_, i) => keyed(`zone-${i % 3}`, `v${i}`)),
      { key: Buffer.from("zone-0"), value: "buffer key" },
      { key: "zone-1", value: "own partition", partition: 2 },
      { value: "no key" },
    ];
    const parts = splitByPartition([{ topic: "t", messages }], () => 4, partitioner);
    expect(partitioner).toHaveBeenCalledTimes(3 + 3);
    const metadata = Array.from({ length: 4 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const reference = Partitioners.DefaultPartitioner();
    const all = parts.flatMap((part) => part[0]?.messages ?? []);
    for (const message of all.filter((m) => typeof m.key === "string" && m.value !== "own partition")) {
      expect(message.partition).toBe(reference({ topic: "t", partitionMetadata: metadata, message: { ...message, partition: undefined } }));
    }
    expect(all.find((m) => m.value === "own partition")?.partition).toBe(2);
    expect(all.find((m) => m.value === "buffer key")?.partition).toBe(all.find((m) => m.key === "zone-0")?.partition);
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
