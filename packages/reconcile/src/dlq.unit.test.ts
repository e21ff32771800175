import { resolveTopology } from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import { chooseResubmit, type DeadLetter, formatDeadLetters, withMarkers } from './dlq.ts';

const topology = resolveTopology();
const cmt = topology.confirmMoneyTransfer;

function letter(offset: string, sourceOffset: string, source = cmt.name): Omit<DeadLetter, 'resubmitted'> {
  return {
    topic: cmt.deadLetter,
    partition: 0,
    offset,
    source: { topic: source, partition: 2, offset: sourceOffset },
    errorCode: 'DECODE_FAILED',
    error: 'unknown magic byte 7',
    key: null,
    value: Buffer.from([7]),
  };
}

describe('dead letters', () => {
  const letters = withMarkers(
    [letter('3', '40'), letter('0', '17'), letter('5', '17')],
    [{ topic: cmt.deadLetter, offset: '0' }],
  );

  it('sorts them by place and marks the re-submitted ones', () => {
    expect(letters.map((l) => [l.offset, l.resubmitted])).toEqual([
      ['0', true],
      ['3', false],
      ['5', false],
    ]);
    expect(formatDeadLetters(letters)).toEqual([
      `${cmt.deadLetter} 0@0  from ${cmt.name} 2@17  DECODE_FAILED: unknown magic byte 7  [re-submitted]`,
      `${cmt.deadLetter} 0@3  from ${cmt.name} 2@40  DECODE_FAILED: unknown magic byte 7`,
      `${cmt.deadLetter} 0@5  from ${cmt.name} 2@17  DECODE_FAILED: unknown magic byte 7`,
      '3 dead letters, 2 not re-submitted',
    ]);
    expect(formatDeadLetters([])).toEqual(['no dead letters']);
  });

  it('chooses one by its dead-letter place or its source position, never one re-submitted before', () => {
    expect(
      chooseResubmit(letters, topology, { topic: cmt.deadLetter, partition: 0, offset: '3' }).offset,
    ).toBe('3');
    // The same source message dead-lettered twice (once re-submitted): the other one is chosen.
    expect(chooseResubmit(letters, topology, { topic: cmt.name, partition: 2, offset: '17' }).offset).toBe(
      '5',
    );
    expect(() =>
      chooseResubmit(letters, topology, { topic: cmt.deadLetter, partition: 0, offset: '0' }),
    ).toThrow(/was re-submitted before/);
    expect(() =>
      chooseResubmit(letters, topology, { topic: cmt.deadLetter, partition: 0, offset: '9' }),
    ).toThrow(/no dead letter at/);
  });

  it('refuses one whose source is not the topic its dead-letter topic belongs to', () => {
    const foreign = withMarkers([letter('0', '1', topology.balanceChanged.name)], []);
    expect(() =>
      chooseResubmit(foreign, topology, { topic: cmt.deadLetter, partition: 0, offset: '0' }),
    ).toThrow(/not this dead-letter topic's source/);
  });
});
