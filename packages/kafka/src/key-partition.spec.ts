import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";

import { Partitioners, type PartitionMetadata } from "kafkajs";

import { murmur2, partitionOfKey } from "./key-partition";

// kafkajs's own murmur2, which its default partitioner runs: the reference this one must equal.
const kafkajsMurmur2 = createRequire(require.resolve("kafkajs"))("./src/producer/partitioners/default/murmur2") as (key: Buffer | string) => number;

function metadata(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] }));
}

describe("partitionOfKey", () => {
  it("hashes every length and byte value as kafkajs's murmur2 does", () => {
    for (let length = 0; length <= 64; length++) {
      for (let round = 0; round < 50; round++) {
        const key = randomBytes(length);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
    expect(murmur2(Buffer.alloc(7, 0xff))).toBe(kafkajsMurmur2(Buffer.alloc(7, 0xff)));
  });

  it("puts string and Buffer keys on the partition kafkajs's default partitioner picks", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const keys = ["", "a", "zone-banana", "k9999", "ünïcödé ✓", "𝔘𝔫𝔦", ...Array.from({ length: 500 }, () => randomBytes(12).toString("base64"))];
    for (const count of [1, 2, 3, 4, 6, 7, 12, 50]) {
      for (const key of keys) {
        const expected = partitioner({ topic: "t", partitionMetadata: metadata(count), message: { key, value: null } });
        expect(partitionOfKey(key, count)).toBe(expected);
        expect(partitionOfKey(Buffer.from(key), count)).toBe(expected);
      }
    }
  });
});
