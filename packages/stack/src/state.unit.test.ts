import { describe, expect, it } from 'vitest';
import { emptyState, parseState, withoutPart, withPart } from './state.ts';

const part = { pid: 42, procStart: '123', ports: [9092], log: 'k.log', startedAt: '2026-01-01T00:00:00Z' };

describe('stack state', () => {
  it('adds and removes parts without touching the rest', () => {
    const s0 = { ...emptyState('dev'), brokers: 3, clusterId: 'c' };
    const s1 = withPart(s0, 'kafka-1', part);
    expect(s1.parts).toEqual({ 'kafka-1': part });
    expect(s0.parts).toEqual({});
    const s2 = withoutPart(withPart(s1, 'postgres', { ...part, pid: 7 }), 'kafka-1');
    expect(Object.keys(s2.parts)).toEqual(['postgres']);
    expect(s2.brokers).toBe(3);
    expect(s2.clusterId).toBe('c');
  });

  it('round-trips through JSON', () => {
    const s = withPart(
      { ...emptyState('test'), brokers: 1, clusterId: 'x', portOffset: 10_000 },
      'kafka-1',
      part,
    );
    expect(parseState(JSON.stringify(s), 'test')).toEqual(s);
  });

  it('survives a damaged or foreign file', () => {
    expect(parseState('{not json', 'dev')).toEqual(emptyState('dev'));
    expect(parseState('null', 'dev')).toEqual(emptyState('dev'));
    const odd = parseState(
      JSON.stringify({
        brokers: '3',
        parts: { a: { pid: -1 }, b: { pid: 'x' }, c: { pid: 5, ports: [1, 'y'] } },
      }),
      'dev',
    );
    expect(odd.brokers).toBeUndefined();
    expect(Object.keys(odd.parts)).toEqual(['c']);
    expect(odd.parts.c).toEqual({ pid: 5, procStart: undefined, ports: [1], log: '', startedAt: '' });
  });

  it('takes the profile from the caller, not the file', () => {
    expect(parseState(JSON.stringify({ profile: 'other' }), 'dev').profile).toBe('dev');
  });
});
