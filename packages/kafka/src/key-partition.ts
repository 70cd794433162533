/**
 * The partition of a keyed record as kafkajs's default partitioner chooses it (Java's
 * DefaultPartitioner: murmur2 of the key's bytes, made positive, modulo the partition count),
 * computed in 32-bit integer arithmetic. kafkajs computes the same hash with 64-bit `Long`
 * objects, a few allocations per four bytes of key; only the low 32 bits count, and `Math.imul`
 * gives exactly those. key-partition.spec.ts holds the two to the same answers.
 */
export function partitionOfKey(key: Buffer | string, partitions: number): number {
  return (murmur2(typeof key === "string" ? Buffer.from(key, "utf8") : key) & 0x7fffffff) % partitions;
}

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 (32-bit, seed 0x9747b28c), as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= (data[whole + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (data[whole + 1] ?? 0) << 8;
  if (rest >= 1) h = Math.imul(h ^ (data[whole] ?? 0), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}
