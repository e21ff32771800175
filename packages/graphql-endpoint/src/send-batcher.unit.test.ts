import type { Outgoing } from '@open-bank/runtime';
import { describe, expect, it } from 'vitest';
import { SendBatcher } from './send-batcher.ts';

const msg = (key: string): Outgoing => ({ topic: 't', key, value: Buffer.from(key) });

function controlledSender() {
  const calls: { keys: (string | null)[]; release: () => void; fail: (e: Error) => void }[] = [];
  const send = (messages: Outgoing[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ keys: messages.map((m) => m.key), release: resolve, fail: reject });
    });
  return { calls, send };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('SendBatcher', () => {
  it('sends the messages of one tick together, and those arriving meanwhile in the next batch', async () => {
    const { calls, send } = controlledSender();
    const batcher = new SendBatcher(send);
    const first = [batcher.send(msg('a')), batcher.send(msg('b'))];
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b']]);
    const later = [batcher.send(msg('c')), batcher.send(msg('d')), batcher.send(msg('e'))];
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]?.release();
    await Promise.all(first);
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    calls[1]?.release();
    await Promise.all(later);
    await batcher.flush();
  });

  it('fails exactly the messages of a failed batch and keeps going', async () => {
    const { calls, send } = controlledSender();
    const batcher = new SendBatcher(send);
    const a = batcher.send(msg('a'));
    await tick();
    const b = batcher.send(msg('b'));
    calls[0]?.fail(new Error('broker gone'));
    await expect(a).rejects.toThrow('broker gone');
    await tick();
    calls[1]?.release();
    await expect(b).resolves.toBeUndefined();
  });

  it('caps the size of one batch', async () => {
    const sent: number[] = [];
    const batcher = new SendBatcher(async (ms) => {
      sent.push(ms.length);
    }, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => batcher.send(msg(k))));
    expect(sent).toEqual([2, 2, 1]);
  });
});
