import { describe, expect, it } from 'vitest';
import {
  initialTransactions,
  mergeTransactions,
  newestBalance,
  type Transaction,
  transactionsReducer,
} from './transactions.ts';

const tx = (id: number, balance = `€${id},00`): Transaction => ({
  id,
  iban: 'NL66OPEN0000000000',
  new_balance: balance,
  changed_by: '€1,00',
  from_to: 'cash',
  descr: 'deposit',
  direction: 'CREDIT',
});

describe('mergeTransactions', () => {
  it('keeps the newest first, each id once, at most max', () => {
    const merged = mergeTransactions([tx(3), tx(1)], [tx(2), tx(3), tx(5)], 3);
    expect(merged.map((t) => t.id)).toEqual([5, 3, 2]);
  });

  it('takes the incoming version of a known id', () => {
    expect(mergeTransactions([tx(1, '€1,00')], [tx(1, '€9,00')], 5)[0]?.new_balance).toBe('€9,00');
  });
});

describe('transactionsReducer', () => {
  it('keeps live items that arrived while the first query ran', () => {
    let s = initialTransactions(10);
    s = transactionsReducer(s, { type: 'received', items: [tx(7)] });
    s = transactionsReducer(s, { type: 'loaded', items: [tx(6), tx(5)] });
    expect(s.items.map((t) => t.id)).toEqual([7, 6, 5]);
    expect(s.loading).toBe(false);
    expect(newestBalance(s.items)).toBe('€7,00');
  });

  it('puts a new transaction on top and marks it as fresh', () => {
    let s = transactionsReducer(initialTransactions(2), { type: 'loaded', items: [tx(2), tx(1)] });
    s = transactionsReducer(s, { type: 'received', items: [tx(3)] });
    expect(s.items.map((t) => t.id)).toEqual([3, 2]);
    expect([...s.fresh]).toEqual([3]);
  });

  it('forgets fresh marks of items that fell off the list', () => {
    let s = transactionsReducer(initialTransactions(1), { type: 'received', items: [tx(1)] });
    s = transactionsReducer(s, { type: 'received', items: [tx(2)] });
    expect([...s.fresh]).toEqual([2]);
  });

  it('trims to a smaller max at once', () => {
    let s = transactionsReducer(initialTransactions(5), { type: 'loaded', items: [tx(3), tx(2), tx(1)] });
    s = transactionsReducer(s, { type: 'max-items', maxItems: 2 });
    expect(s.items.map((t) => t.id)).toEqual([3, 2]);
    expect(s.maxItems).toBe(2);
  });

  it('keeps the items on a failure, with the message, and starts over on reset', () => {
    let s = transactionsReducer(initialTransactions(5), { type: 'loaded', items: [tx(1)] });
    s = transactionsReducer(s, { type: 'failed', error: 'unreachable' });
    expect(s.items).toHaveLength(1);
    expect(s.error).toBe('unreachable');
    s = transactionsReducer(s, { type: 'reset' });
    expect(s.items).toHaveLength(0);
    expect(s.maxItems).toBe(5);
    expect(newestBalance(s.items)).toBeNull();
  });
});
