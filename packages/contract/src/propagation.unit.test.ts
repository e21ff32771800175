import { describe, expect, it } from 'vitest';
import { isPropagating, untilTopicKnown } from './propagation.ts';

const refusal = (type: string) => Object.assign(new Error(type), { type });

describe('untilTopicKnown', () => {
  it('reads again while the topic is unknown, then returns the answer', async () => {
    let tries = 0;
    const answer = await untilTopicKnown(
      async () => {
        tries++;
        if (tries < 3) throw refusal('UNKNOWN_TOPIC_OR_PARTITION');
        return 'configs';
      },
      1_000,
      1,
    );
    expect(answer).toBe('configs');
    expect(tries).toBe(3);
  });

  it('passes any other error on at once', async () => {
    let tries = 0;
    const read = async () => {
      tries++;
      throw refusal('TOPIC_AUTHORIZATION_FAILED');
    };
    await expect(untilTopicKnown(read, 1_000, 1)).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    expect(tries).toBe(1);
  });

  it('gives up after its time with the last refusal', async () => {
    await expect(
      untilTopicKnown(
        async () => {
          throw refusal('LEADER_NOT_AVAILABLE');
        },
        20,
        5,
      ),
    ).rejects.toThrow('LEADER_NOT_AVAILABLE');
  });

  it('finds the refusal kafkajs wraps after its own retries', () => {
    expect(isPropagating({ originalError: { type: 'UNKNOWN_TOPIC_OR_PARTITION' } })).toBe(true);
    expect(isPropagating(new Error('x'))).toBe(false);
    expect(isPropagating(null)).toBe(false);
  });
});
