/**
 * Where readToEnd starts and stops on each partition, shared by the three adapters (each reads the
 * watermarks its own way, then asks this the same question).
 */
export interface PartitionWatermarks {
  partition: number;
  /** The earliest offset still on the broker. */
  low: bigint | string;
  /** The end offset (exclusive), read committed. */
  high: bigint | string;
}

export interface ReadRanges {
  /** Per partition, the first offset to read. */
  start: Map<number, bigint>;
  /** Per partition, the end offset (exclusive); a reader drops a partition once it has read up to it. */
  end: Map<number, bigint>;
}

/**
 * From `from` (or the earliest record, or later if retention removed it) up to the end; partitions with
 * nothing to read are left out, so an empty `end` means there is nothing to do.
 */
export function readRanges(
  watermarks: readonly PartitionWatermarks[],
  from: ReadonlyMap<number, string> | undefined,
): ReadRanges {
  const start = new Map<number, bigint>();
  const end = new Map<number, bigint>();
  for (const w of watermarks) {
    const low = BigInt(w.low);
    const high = BigInt(w.high);
    const wanted = BigInt(from?.get(w.partition) ?? low);
    const first = low > wanted ? low : wanted;
    if (high > first) {
      start.set(w.partition, first);
      end.set(w.partition, high);
    }
  }
  return { start, end };
}
