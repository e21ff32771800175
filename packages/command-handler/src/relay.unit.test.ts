import { describe, expect, it } from 'vitest';
import { formatSeqs, parseSeqs } from './relay.ts';

describe('position records of the outbox relay', () => {
  it('write a round’s seqs as ranges and read them back', () => {
    const seqs = ['7', '1', '2', '3', '9', '10', '5'];
    expect(formatSeqs(seqs)).toBe('1-3,5,7,9-10');
    expect(parseSeqs(formatSeqs(seqs))).toEqual(['1', '2', '3', '5', '7', '9', '10']);
    expect(parseSeqs('')).toEqual([]);
    expect(formatSeqs([])).toBe('');
  });

  it('refuse a malformed record rather than delete the wrong rows', () => {
    expect(() => parseSeqs('1-3,x')).toThrow(/malformed/);
  });
});
