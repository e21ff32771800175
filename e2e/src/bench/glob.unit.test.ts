import { describe, expect, it } from 'vitest';
import { categorize, globMatches } from './glob.ts';

describe('run-name patterns', () => {
  it('matches * and ? and takes everything else literally', () => {
    expect(globMatches('kafkajs-*', 'kafkajs-2026-11-21T22-05-09Z')).toBe(true);
    expect(globMatches('kafkajs-*', 'confluent-2026-11-21T22-05-09Z')).toBe(false);
    expect(globMatches('run-?', 'run-1')).toBe(true);
    expect(globMatches('run-?', 'run-12')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('a.b', 'a.b')).toBe(true);
  });

  it('puts each run in the first category that matches it and leaves unmatched runs out', () => {
    const runs = ['kafkajs-1', 'kafkajs-tuned-1', 'confluent-1', 'other-1'];
    const out = categorize(runs, {
      tuned: 'kafkajs-tuned-*',
      kafkajs: 'kafkajs-*',
      confluent: ['conf*', 'x*'],
    });
    expect(Object.fromEntries(out)).toEqual({
      tuned: ['kafkajs-tuned-1'],
      kafkajs: ['kafkajs-1'],
      confluent: ['confluent-1'],
    });
  });
});
