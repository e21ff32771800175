import { describe, expect, it } from 'vitest';
import { InvalidRateError, SendFailedError } from './errors.ts';
import { HeartbeatTicker, type Timer } from './ticker.ts';

/** A timer moved by hand: `fire()` is one interval passing. */
function manualTimer() {
  const timers: { ms: number; fn: () => void; cancelled: boolean }[] = [];
  const timer: Timer = {
    every(ms, fn) {
      const t = { ms, fn, cancelled: false };
      timers.push(t);
      return () => {
        t.cancelled = true;
      };
    },
  };
  const active = () => timers.filter((t) => !t.cancelled);
  return {
    timer,
    active,
    fire() {
      const a = active();
      expect(a).toHaveLength(1);
      a[0]?.fn();
    },
  };
}

interface Call {
  first: number;
  count: number;
  now: Date;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A send that stays in flight until the test settles it. */
function pendingSends() {
  const calls: Call[] = [];
  const send = (first: number, count: number, now: Date) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ first, count, now, resolve, reject });
    });
  return { calls, send };
}

const settle = () => new Promise((r) => setImmediate(r));
const clock = () => new Date(2024, 0, 2, 3, 4, 5, 6);

function setUp(batchSize: number, intervalMs = 100, maxCarriedOver?: number) {
  const t = manualTimer();
  const s = pendingSends();
  const errors: unknown[] = [];
  const ticker = new HeartbeatTicker({
    batchSize,
    intervalMs,
    timer: t.timer,
    clock,
    send: s.send,
    onSendError: (e) => errors.push(e),
    ...(maxCarriedOver === undefined ? {} : { maxCarriedOver }),
  });
  ticker.start();
  return { ticker, ...t, ...s, errors };
}

describe('HeartbeatTicker', () => {
  it('starts idle with batch size 0 and sends nothing', () => {
    const { ticker, fire, calls, active } = setUp(0);
    expect(active()[0]?.ms).toBe(100);
    fire();
    fire();
    expect(calls).toHaveLength(0);
    expect(ticker.state()).toMatchObject({ batchSize: 0, intervalMs: 100, beatsSent: 0, nextBeat: 0 });
  });

  it('sends batchSize beats per tick in one send, counting from 0, stamped by the clock', async () => {
    const { ticker, fire, calls } = setUp(3);
    fire();
    expect(calls.map(({ first, count }) => [first, count])).toEqual([[0, 3]]);
    expect(calls[0]?.now).toEqual(clock());
    calls[0]?.resolve();
    await settle();
    fire();
    expect(calls.map(({ first, count }) => [first, count])).toEqual([
      [0, 3],
      [3, 3],
    ]);
    calls[1]?.resolve();
    await settle();
    expect(ticker.state()).toMatchObject({ beatsSent: 6, nextBeat: 6, sending: false, carriedOver: 0 });
  });

  it('counts beats as sent only once the send is acknowledged', async () => {
    const { ticker, fire, calls } = setUp(5);
    fire();
    expect(ticker.state()).toMatchObject({ beatsSent: 0, nextBeat: 5, sending: true });
    calls[0]?.resolve();
    await settle();
    expect(ticker.state()).toMatchObject({ beatsSent: 5, sending: false });
  });

  it('never runs two sends at once: beats of ticks during a send are carried over to the next tick', async () => {
    const { ticker, fire, calls } = setUp(4);
    fire();
    fire();
    fire();
    expect(calls).toHaveLength(1);
    expect(ticker.state()).toMatchObject({ carriedOver: 8, busyTicks: 2, sending: true });
    calls[0]?.resolve();
    await settle();
    // The backlog waits for the next tick rather than going out the moment the send finishes.
    expect(calls).toHaveLength(1);
    fire();
    expect(calls.map(({ first, count }) => [first, count])).toEqual([
      [0, 4],
      [4, 12],
    ]);
    calls[1]?.resolve();
    await settle();
    expect(ticker.state()).toMatchObject({ beatsSent: 16, nextBeat: 16, carriedOver: 0, busyTicks: 2 });
  });

  it('after a failed send hands out the same beat numbers again, so beats stay gap-free', async () => {
    const { ticker, fire, calls, errors } = setUp(2);
    fire();
    calls[0]?.reject(new Error('broker down'));
    await settle();
    expect(errors).toHaveLength(1);
    expect(ticker.state()).toMatchObject({ beatsSent: 0, nextBeat: 0, carriedOver: 2, sendFailures: 1 });
    fire();
    expect(calls[1]).toMatchObject({ first: 0, count: 4 });
  });

  it('after a send that failed part way goes on from the first beat not sent', async () => {
    const { ticker, fire, calls } = setUp(10);
    fire();
    calls[0]?.reject(new SendFailedError(4, new Error('broker down')));
    await settle();
    expect(ticker.state()).toMatchObject({ beatsSent: 4, nextBeat: 4, carriedOver: 6 });
    fire();
    expect(calls[1]).toMatchObject({ first: 4, count: 16 });
  });

  it('drops beats past maxCarriedOver and counts them', async () => {
    const { ticker, fire, calls } = setUp(10, 100, 25);
    fire();
    fire();
    fire();
    fire();
    expect(ticker.state()).toMatchObject({ carriedOver: 25, beatsDropped: 5 });
    calls[0]?.resolve();
    await settle();
    fire();
    expect(calls[1]).toMatchObject({ first: 10, count: 25 });
  });

  it('applies a new batch size at the next tick', async () => {
    const { ticker, fire, calls } = setUp(1);
    fire();
    calls[0]?.resolve();
    await settle();
    expect(ticker.update({ batchSize: 7 })).toMatchObject({ batchSize: 7, intervalMs: 100 });
    fire();
    expect(calls[1]).toMatchObject({ first: 1, count: 7 });
  });

  it('restarts the timer on a new interval, and only then', () => {
    const { ticker, active } = setUp(1, 100);
    const before = active()[0];
    ticker.update({ batchSize: 2 });
    expect(active()[0]).toBe(before);
    ticker.update({ intervalMs: 250 });
    expect(active()).toHaveLength(1);
    expect(active()[0]?.ms).toBe(250);
    expect(ticker.state().intervalMs).toBe(250);
  });

  it('refuses rates out of bounds and keeps the old rate', () => {
    const { ticker } = setUp(1, 100);
    expect(() => ticker.update({ batchSize: -1 })).toThrow(InvalidRateError);
    expect(() => ticker.update({ batchSize: 100_001 })).toThrow(InvalidRateError);
    expect(() => ticker.update({ intervalMs: 9 })).toThrow(InvalidRateError);
    expect(() => ticker.update({ intervalMs: 1.5 })).toThrow(InvalidRateError);
    expect(ticker.state()).toMatchObject({ batchSize: 1, intervalMs: 100 });
  });

  it('stops ticking and waits for the send in flight', async () => {
    const { ticker, fire, calls, active } = setUp(1);
    fire();
    let stopped = false;
    const stopping = ticker.stop().then(() => {
      stopped = true;
    });
    expect(active()).toHaveLength(0);
    await settle();
    expect(stopped).toBe(false);
    calls[0]?.resolve();
    await stopping;
    expect(ticker.state()).toMatchObject({ beatsSent: 1, sending: false });
  });
});
