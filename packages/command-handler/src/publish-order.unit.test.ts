import { describe, expect, it } from 'vitest';
import { PublishOrder } from './publish-order.ts';

const v = (entries: Record<string, bigint>) => new Map(Object.entries(entries));
const tick = () => new Promise((r) => setImmediate(r));

describe('PublishOrder', () => {
  it('lets a handler go at once when no earlier reader of its accounts is registered', async () => {
    const order = new PublishOrder();
    const t = order.enter(v({ A: 3n }));
    order.enter(v({ B: 1n }));
    order.enter(v({ A: 3n })); // same version: read the same state, so it changed nothing the other saw
    order.enter(v({ A: 4n }));
    await expect(order.predecessors(t)).resolves.toBeUndefined();
  });

  it('holds a handler back until every handler that read an older version of a shared account has left', async () => {
    const order = new PublishOrder();
    const first = order.enter(v({ A: 1n, B: 7n }));
    const second = order.enter(v({ B: 9n }));
    const third = order.enter(v({ A: 2n, B: 10n }));
    const done: string[] = [];
    const waiting = order.predecessors(third).then(() => done.push('third'));
    await tick();
    expect(done).toEqual([]);
    order.leave(first);
    await tick();
    await tick();
    expect(done).toEqual([]);
    order.leave(second);
    await waiting;
    expect(done).toEqual(['third']);
    order.leave(third);
    expect(order.size).toBe(0);
  });

  it('resumes waiters only after the leaving handler has finished its synchronous continuation', async () => {
    const order = new PublishOrder();
    const first = order.enter(v({ A: 1n }));
    const second = order.enter(v({ A: 2n }));
    const published: string[] = [];
    const later = order.predecessors(second).then(() => published.push('second'));
    // The first handler leaves and then takes a few microtask hops to its publish step.
    await (async () => {
      order.leave(first);
      await Promise.resolve();
      await Promise.resolve();
      await Promise.resolve();
      published.push('first');
    })();
    await later;
    expect(published).toEqual(['first', 'second']);
  });

  it('does not wait for a registration that has already left', async () => {
    const order = new PublishOrder();
    const first = order.enter(v({ A: 1n }));
    order.leave(first);
    const second = order.enter(v({ A: 2n }));
    await expect(order.predecessors(second)).resolves.toBeUndefined();
  });
});
