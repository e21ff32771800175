import { describe, expect, it } from 'vitest';
import { toTopicMessages } from './kafkajs-adapter.ts';

describe('toTopicMessages', () => {
  it('groups messages by topic and keeps their order', () => {
    const v = (s: string) => Buffer.from(s);
    expect(
      toTopicMessages([
        { topic: 'a', key: '1', value: v('x') },
        { topic: 'b', key: '2', value: v('y') },
        { topic: 'a', key: '3', value: v('z'), headers: { h: '1' } },
      ]),
    ).toEqual([
      {
        topic: 'a',
        messages: [
          { key: '1', value: v('x') },
          { key: '3', value: v('z'), headers: { h: '1' } },
        ],
      },
      { topic: 'b', messages: [{ key: '2', value: v('y') }] },
    ]);
  });
});
