import { Partitioners, type Message, type RecordMetadata, type TopicMessages } from "kafkajs";

import { sendChecked, splitByPartition } from "./partitioned-send";

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

describe("sendChecked", () => {
  const part = (topic: string, partition: number, ...values: string[]): TopicMessages[] => [{ topic, messages: values.map((value) => ({ value, partition })) }];
  const listed = (topic: string, partition: number): RecordMetadata => ({ topicName: topic, partition, errorCode: 0 });
  /** A sendBatch answering each call with the partitions it was given, except those `skip` names for that call. */
  const fakeSend = (skip: (call: number, topic: string, partition: number) => boolean = () => false) => {
    const calls: TopicMessages[][] = [];
    const sendBatch = jest.fn((topicMessages: TopicMessages[]) => {
      calls.push(topicMessages);
      const partitions = topicMessages.flatMap(({ topic, messages }) => [...new Set(messages.map((m) => m.partition))].map((partition) => [topic, partition ?? -1] as const));
      return Promise.resolve(partitions.filter(([topic, partition]) => !skip(calls.length, topic, partition)).map(([topic, partition]) => listed(topic, partition)));
    });
    return { calls, sendBatch };
  };

  it("sends every partition in one call, each topic named once (kafkajs keeps only a topic's last item)", async () => {
    const { calls, sendBatch } = fakeSend();
    const answer = await sendChecked([part("out", 0, "a"), part("out", 1, "b", "c"), part("audit", 0, "d")], sendBatch);
    expect(calls).toEqual([
      [
        { topic: "out", messages: [{ value: "a", partition: 0 }, { value: "b", partition: 1 }, { value: "c", partition: 1 }] },
        { topic: "audit", messages: [{ value: "d", partition: 0 }] },
      ],
    ]);
    expect(answer).toEqual([listed("out", 0), listed("out", 1), listed("audit", 0)]);
  });

  it("sends again only the partitions kafkajs's answer leaves out, and answers with all of them", async () => {
    const { calls, sendBatch } = fakeSend((call, topic, partition) => call === 1 && topic === "out" && partition === 1);
    const answer = await sendChecked([part("out", 0, "a"), part("out", 1, "b", "c")], sendBatch);
    expect(calls[1]).toEqual([{ topic: "out", messages: [{ value: "b", partition: 1 }, { value: "c", partition: 1 }] }]);
    expect(answer).toEqual([listed("out", 0), listed("out", 1)]);
  });

  it("fails naming the partition kafkajs keeps leaving out, after the first send and three more", async () => {
    const { sendBatch } = fakeSend((_, topic, partition) => topic === "out" && partition === 1);
    await expect(sendChecked([part("out", 0, "a"), part("out", 1, "b")], sendBatch)).rejects.toThrow("kafkajs did not write out[1] in 4 sends");
    expect(sendBatch).toHaveBeenCalledTimes(4);
  });

  it("fails naming a partition kafkajs's answer lists twice: its records were written twice", async () => {
    const sendBatch = jest.fn(() => Promise.resolve([listed("out", 0), listed("out", 1), listed("out", 0)]));
    await expect(sendChecked([part("out", 0, "a"), part("out", 1, "b")], sendBatch)).rejects.toThrow("kafkajs wrote out[0] twice in one send");
    expect(sendBatch).toHaveBeenCalledTimes(1);
  });

  it("does not send again a topic left to kafkajs to partition, which no answer can be checked against", async () => {
    const sendBatch = jest.fn(() => Promise.resolve([] as RecordMetadata[]));
    const unpartitioned: TopicMessages[] = [{ topic: "unknown", messages: [{ value: "a" }, { value: "b", partition: 2 }] }];
    await expect(sendChecked([unpartitioned], sendBatch)).resolves.toEqual([]);
    expect(sendBatch).toHaveBeenCalledTimes(1);
  });
});
