import { describe, expect, it } from 'vitest';
import { murmur2, partitionOf } from './murmur2.ts';

describe('murmur2', () => {
  // Vectors from the Java client's own test (org.apache.kafka.common.utils.UtilsTest#testMurmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s as the Java client does', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('places keys on the positive hash modulo the partition count', () => {
    expect(partitionOf('foobar', 12)).toBe((-790332482 & 0x7fffffff) % 12);
    expect(partitionOf('21', 1)).toBe(0);
  });
});
