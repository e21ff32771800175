import { isRetryable } from './errors.ts';

/**
 * Group commit: batches handed in while a group is being handled wait and go together in the next one, so at
 * most one group is in flight and each item waits for at most the group before its own. The first item after
 * a quiet spell waits one turn of the event loop, so the batches a consumer hands over at once (every
 * partition of one fetch) go in one group.
 *
 * `handleMany` gets the items in the order they came and answers one result per item. When a group of several
 * fails for good (not retryable: something in one item that no retry cures), each item is handled again
 * alone, so only the item that causes it fails; a retryable failure fails every item of the group, which its
 * caller retries.
 */
export class GroupCommit<I, R> {
  private queue: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly handleMany: (items: readonly I[]) => Promise<readonly R[]>,
    private readonly options: {
      /** How large a group may grow, by the items' `size` (e.g. their messages). */
      readonly maxSize?: number;
      readonly size?: (item: I) => number;
      /** Called with each group's item count, for metrics. */
      readonly onGroup?: (items: number) => void;
    } = {},
  ) {}

  run(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.take();
      this.options.onGroup?.(group.length);
      try {
        const results = await this.handleMany(group.map((g) => g.item));
        for (const [i, g] of group.entries()) g.resolve(results[i] as R);
      } catch (e) {
        if (group.length === 1 || isRetryable(e)) {
          for (const g of group) g.reject(e);
          continue;
        }
        for (const g of group) {
          try {
            const [r] = await this.handleMany([g.item]);
            g.resolve(r as R);
          } catch (one) {
            g.reject(one);
          }
        }
      }
    }
    this.running = false;
  }

  private take(): typeof this.queue {
    const { maxSize, size } = this.options;
    if (maxSize === undefined || size === undefined) return this.queue.splice(0);
    let total = 0;
    let n = 0;
    for (const q of this.queue) {
      const s = size(q.item);
      if (n > 0 && total + s > maxSize) break;
      total += s;
      n++;
    }
    return this.queue.splice(0, n);
  }
}
