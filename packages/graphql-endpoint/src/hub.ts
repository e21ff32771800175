import { matches, type TransactionFilter, type TransactionRow } from './transaction.ts';

interface Subscriber {
  readonly filter: TransactionFilter;
  readonly queue: TransactionRow[];
  wake: ((result: IteratorResult<TransactionRow>) => void) | null;
  done: boolean;
}

export interface HubOptions {
  /** Rows queued for one subscriber that does not keep up; past it the oldest are dropped. */
  readonly maxQueued?: number;
  readonly onSizeChange?: (subscribers: number) => void;
  readonly onDropped?: (count: number) => void;
}

/**
 * In-process publish/subscribe of stored transactions to `stream_transactions` subscriptions. Subscribers
 * with an iban filter are indexed by it, so a publish costs per row only the subscribers that may match.
 * Each subscription is an async iterator; ending it (the client completes or disconnects, which makes the
 * GraphQL server call `return`) removes it at once.
 */
export class TransactionHub {
  private readonly byIban = new Map<string, Set<Subscriber>>();
  private readonly anyIban = new Set<Subscriber>();
  private count = 0;
  private readonly maxQueued: number;

  constructor(private readonly options: HubOptions = {}) {
    this.maxQueued = options.maxQueued ?? 1000;
  }

  get size(): number {
    return this.count;
  }

  subscribe(filter: TransactionFilter): AsyncIterableIterator<TransactionRow> {
    const sub: Subscriber = { filter, queue: [], wake: null, done: false };
    this.add(sub);
    const end = (): IteratorResult<TransactionRow> => {
      if (!sub.done) {
        sub.done = true;
        sub.queue.length = 0;
        this.remove(sub);
      }
      const wake = sub.wake;
      sub.wake = null;
      wake?.({ done: true, value: undefined });
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<TransactionRow> = {
      next: () => {
        const row = sub.queue.shift();
        if (row) return Promise.resolve({ done: false, value: row });
        if (sub.done) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => {
          sub.wake = resolve;
        });
      },
      return: () => Promise.resolve(end()),
      throw: (error?: unknown) => {
        end();
        return Promise.reject(error);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Hands each row to the matching subscriptions; returns the rows that matched at least one. */
  publish<R extends TransactionRow>(rows: readonly R[]): R[] {
    if (this.count === 0) return [];
    let dropped = 0;
    const pushed: R[] = [];
    for (const row of rows) {
      let matched = false;
      const offer = (sub: Subscriber) => {
        const outcome = this.offer(sub, row);
        if (outcome !== 'no match') matched = true;
        if (outcome === 'dropped oldest') dropped++;
      };
      const targeted = this.byIban.get(row.iban);
      if (targeted) for (const sub of targeted) offer(sub);
      for (const sub of this.anyIban) offer(sub);
      if (matched) pushed.push(row);
    }
    if (dropped > 0) this.options.onDropped?.(dropped);
    return pushed;
  }

  /** Ends every subscription, as when the server stops. */
  close(): void {
    for (const sub of [...this.anyIban, ...[...this.byIban.values()].flatMap((s) => [...s])]) {
      sub.done = true;
      sub.queue.length = 0;
      const wake = sub.wake;
      sub.wake = null;
      wake?.({ done: true, value: undefined });
    }
    this.anyIban.clear();
    this.byIban.clear();
    this.setCount(0);
  }

  private offer(sub: Subscriber, row: TransactionRow): 'no match' | 'offered' | 'dropped oldest' {
    if (!matches(sub.filter, row)) return 'no match';
    if (sub.wake) {
      const wake = sub.wake;
      sub.wake = null;
      wake({ done: false, value: row });
      return 'offered';
    }
    sub.queue.push(row);
    if (sub.queue.length > this.maxQueued) {
      sub.queue.shift();
      return 'dropped oldest';
    }
    return 'offered';
  }

  private add(sub: Subscriber): void {
    const iban = sub.filter.iban;
    if (iban == null) this.anyIban.add(sub);
    else {
      let set = this.byIban.get(iban);
      if (!set) {
        set = new Set();
        this.byIban.set(iban, set);
      }
      set.add(sub);
    }
    this.setCount(this.count + 1);
  }

  private remove(sub: Subscriber): void {
    const iban = sub.filter.iban;
    let removed: boolean;
    if (iban == null) removed = this.anyIban.delete(sub);
    else {
      const set = this.byIban.get(iban);
      removed = set?.delete(sub) ?? false;
      if (set && set.size === 0) this.byIban.delete(iban);
    }
    if (removed) this.setCount(this.count - 1);
  }

  private setCount(n: number): void {
    this.count = n;
    this.options.onSizeChange?.(n);
  }
}
