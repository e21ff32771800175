import { describe, expect, it } from 'vitest';
import { offsetsByTopic, toTopicMessages } from './grouping.ts';

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

describe('offsetsByTopic', () => {
  it('groups offsets by topic and keeps their order', () => {
    expect(
      offsetsByTopic([
        { topic: 'a', partition: 1, offset: '5' },
        { topic: 'b', partition: 0, offset: '2' },
        { topic: 'a', partition: 0, offset: '9' },
      ]),
    ).toEqual([
      {
        topic: 'a',
        partitions: [
          { partition: 1, offset: '5' },
          { partition: 0, offset: '9' },
        ],
      },
      { topic: 'b', partitions: [{ partition: 0, offset: '2' }] },
    ]);
  });
});
