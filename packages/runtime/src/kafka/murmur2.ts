/**
 * The Java client's default partitioner (also kafkajs' DefaultPartitioner and librdkafka's `murmur2_random`):
 * murmur2 of the key's bytes with Kafka's seed, made positive, modulo the partition count. Kept here as the
 * reference the conformance tests check every adapter's placement against.
 */
export function murmur2(data: Uint8Array): number {
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  let h = (seed ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      ((data[i4] as number) & 0xff) +
      (((data[i4 + 1] as number) & 0xff) << 8) +
      (((data[i4 + 2] as number) & 0xff) << 16) +
      (((data[i4 + 3] as number) & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length4 * 4;
  const rest = length % 4;
  if (rest === 3) h ^= ((data[tail + 2] as number) & 0xff) << 16;
  if (rest >= 2) h ^= ((data[tail + 1] as number) & 0xff) << 8;
  if (rest >= 1) {
    h ^= (data[tail] as number) & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition the Java client (and every adapter here) gives a key. */
export function partitionOf(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}
