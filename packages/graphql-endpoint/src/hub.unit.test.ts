import { describe, expect, it } from 'vitest';
import { TransactionHub } from './hub.ts';
import type { TransactionRow } from './transaction.ts';

const A = 'NL66OPEN0000000000';
const B = 'NL98OPEN0123456789';
let nextId = 1;
const row = (iban: string, changedBy: bigint): TransactionRow => ({
  id: nextId++,
  iban,
  newBalance: 0n,
  changedBy,
  fromTo: 'cash',
  description: 'x',
});

async function take(it: AsyncIterator<TransactionRow>, n: number): Promise<TransactionRow[]> {
  const out: TransactionRow[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('TransactionHub', () => {
  it('delivers matching rows in order to waiting and to queued subscribers', async () => {
    const hub = new TransactionHub();
    const onA = hub.subscribe({ iban: A });
    const all = hub.subscribe({});
    const bigDebits = hub.subscribe({ minAmount: 1000, direction: 'DEBIT' });
    const waiting = onA.next();
    const r1 = row(A, 500n);
    const r2 = row(B, -2000n);
    const r3 = row(A, -1500n);
    hub.publish([r1, r2, r3]);
    expect((await waiting).value).toBe(r1);
    expect(await take(onA, 1)).toEqual([r3]);
    expect(await take(all, 3)).toEqual([r1, r2, r3]);
    expect(await take(bigDebits, 2)).toEqual([r2, r3]);
  });

  it('removes a subscription when it is ended, ending a pending next', async () => {
    const sizes: number[] = [];
    const hub = new TransactionHub({ onSizeChange: (n) => sizes.push(n) });
    const a = hub.subscribe({ iban: A });
    const b = hub.subscribe({});
    expect(hub.size).toBe(2);
    const pending = a.next();
    await a.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await a.next()).toEqual({ done: true, value: undefined });
    await a.return?.();
    expect(hub.size).toBe(1);
    await b.throw?.(new Error('client gone')).catch(() => undefined);
    expect(hub.size).toBe(0);
    expect(sizes).toEqual([1, 2, 1, 0]);
    hub.publish([row(A, 1n)]);
  });

  it('drops the oldest rows of a subscriber that does not keep up, and says how many', async () => {
    let dropped = 0;
    const hub = new TransactionHub({ maxQueued: 2, onDropped: (n) => (dropped += n) });
    const slow = hub.subscribe({});
    const rows = [row(A, 1n), row(A, 2n), row(A, 3n), row(A, 4n)];
    hub.publish(rows);
    expect(dropped).toBe(2);
    expect(await take(slow, 2)).toEqual(rows.slice(2));
  });

  it('works with for await and ends every subscription on close', async () => {
    const hub = new TransactionHub();
    const sub = hub.subscribe({ iban: B });
    const seen: number[] = [];
    const loop = (async () => {
      for await (const r of sub) seen.push(r.id);
    })();
    const r = row(B, 1n);
    hub.publish([r]);
    await Promise.resolve();
    hub.close();
    await loop;
    expect(seen).toEqual([r.id]);
    expect(hub.size).toBe(0);
  });
});
