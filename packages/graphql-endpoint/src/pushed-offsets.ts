/**
 * How far this process has pushed each partition of balance_changed: the highest offset per partition. A
 * batch consumed again (a retried batch, a rebalance, a background commit that had not caught up) comes
 * back with offsets at or below the mark, and those are not pushed to the same subscribers twice. A
 * partition is consumed in offset order, so everything below the mark has been pushed (or was consumed
 * while no one subscribed to it). One number per partition, whatever the history's length.
 */
export class PushedOffsets {
  private readonly high = new Map<number, bigint>();

  /**
   * The items whose offsets this process has not passed yet on the partition, in offset order; marks them
   * passed. Synchronous, so two batches of one partition finishing at once cannot both take an item.
   */
  take<R extends { readonly offset: string }>(partition: number, items: readonly R[]): R[] {
    const mark = this.high.get(partition);
    const fresh = items
      .map((item) => ({ item, offset: BigInt(item.offset) }))
      .filter((x) => mark === undefined || x.offset > mark)
      .sort((x, y) => (x.offset < y.offset ? -1 : x.offset > y.offset ? 1 : 0));
    const last = fresh.at(-1);
    if (last) this.high.set(partition, last.offset);
    return fresh.map((x) => x.item);
  }
}
