import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CountPerKey, OperationBudget, operationKind, releasingIterator } from './connection-limits.ts';

describe('operationKind', () => {
  it('counts every subscription field except the one-shot ones as a subscription', () => {
    expect(operationKind(parse('subscription { stream_transactions { id } }'))).toBe('subscription');
    expect(operationKind(parse('subscription { live_metrics { x } }'))).toBe('subscription');
    expect(operationKind(parse('subscription { get_account(username: "a", password: "b") { iban } }'))).toBe(
      'one-shot',
    );
    expect(operationKind(parse('subscription { money_transfer { uuid } }'))).toBe('one-shot');
    expect(operationKind(parse('{ all_last_transactions { id } }'))).toBe('one-shot');
    const doc = parse('query A { x } subscription B { stream_transactions { id } }');
    expect(operationKind(doc, 'B')).toBe('subscription');
    expect(operationKind(doc, 'A')).toBe('one-shot');
  });
});

describe('CountPerKey', () => {
  it('caps each key and forgets keys at zero', () => {
    const c = new CountPerKey();
    expect(c.tryAdd('a', 2)).toBe(true);
    expect(c.tryAdd('a', 2)).toBe(true);
    expect(c.tryAdd('a', 2)).toBe(false);
    expect(c.tryAdd('b', 2)).toBe(true);
    c.remove('a');
    expect(c.tryAdd('a', 2)).toBe(true);
    c.remove('a');
    c.remove('a');
    c.remove('b');
    expect(c.size).toBe(0);
  });
});

describe('OperationBudget', () => {
  it('caps subscriptions and pending one-shots apart, and frees a slot once per release', () => {
    const b = new OperationBudget({ subscriptionsPerSocket: 2, pendingPerSocket: 1 }, 'this socket');
    const s1 = b.admit('subscription');
    expect(b.admit('subscription').ok).toBe(true);
    expect(b.admit('subscription')).toEqual({
      ok: false,
      reason: 'too many subscriptions on this socket (at most 2)',
    });
    const p = b.admit('one-shot');
    expect(p.ok).toBe(true);
    expect(b.admit('one-shot')).toEqual({
      ok: false,
      reason: 'too many pending operations on this socket (at most 1)',
    });
    if (s1.ok) {
      s1.release();
      s1.release();
    }
    expect(b.open).toEqual({ subscriptions: 1, pending: 1 });
    expect(b.admit('subscription').ok).toBe(true);
    expect(b.admit('subscription').ok).toBe(false);
  });
});

describe('releasingIterator', () => {
  async function* three() {
    yield 1;
    yield 2;
    yield 3;
  }

  it('releases when the source ends, when the consumer leaves, and when it fails', async () => {
    let n = 0;
    const all: number[] = [];
    for await (const x of releasingIterator(three(), () => n++)) all.push(x);
    expect(all).toEqual([1, 2, 3]);
    expect(n).toBe(1);

    let m = 0;
    for await (const x of releasingIterator(three(), () => m++)) if (x === 1) break;
    expect(m).toBe(1);

    let k = 0;
    async function* failing() {
      yield 1;
      throw new Error('gone');
    }
    await expect(
      (async () => {
        for await (const _ of releasingIterator(failing(), () => k++)) {
          // consume
        }
      })(),
    ).rejects.toThrow('gone');
    expect(k).toBe(1);
  });
});
