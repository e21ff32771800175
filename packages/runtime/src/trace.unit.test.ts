import { TRACE_HEADER } from '@open-bank/contract';
import { describe, expect, it } from 'vitest';
import { extendTrace, hopSeconds, observeHop, parseTrace, stampSent } from './trace.ts';

function recorder() {
  const seen: { hop: string; s: number }[] = [];
  return { seen, observe: (labels: { hop: string }, s: number) => seen.push({ hop: labels.hop, s }) };
}

describe('trace header', () => {
  it('parses checkpoints and rejects anything malformed as no trace', () => {
    expect(parseTrace('10,20,30')).toEqual([10, 20, 30]);
    expect(parseTrace(undefined)).toEqual([]);
    expect(parseTrace('10,x')).toEqual([]);
    expect(parseTrace('10,-5')).toEqual([]);
    expect(parseTrace('')).toEqual([]);
  });

  it('extends a trace and measures hops between checkpoints in seconds, never negative', () => {
    expect(extendTrace('1', 2, 3)).toBe('1,2,3');
    expect(extendTrace(undefined, 7)).toBe('7');
    expect(hopSeconds([1_000_000, 1_250_000], 0, 1_500_000)).toBe(0.5);
    expect(hopSeconds([2_000_000], 0, 1_000_000)).toBe(0);
    expect(hopSeconds([1], 3, 5)).toBeUndefined();
  });

  it('observes a hop only when the trace has its starting checkpoint', () => {
    const r = recorder();
    observeHop(r, 'command_fetched', [1_000_000, 2_000_000], 1, 2_500_000);
    observeHop(r, 'balancedb_committed', [1_000_000], 2, 2_500_000);
    expect(r.seen).toEqual([{ hop: 'command_fetched', s: 0.5 }]);
  });

  it('stamps the send time on origin-only traces, leaves others alone, and times the ack', () => {
    const r = recorder();
    const origin = Math.round((performance.timeOrigin + performance.now()) * 1000) - 2_000;
    const messages = [
      { headers: { [TRACE_HEADER]: String(origin) } },
      { headers: { [TRACE_HEADER]: `${origin},${origin + 1}` } },
      { headers: {} as Record<string, string> },
    ];
    const acked = stampSent(messages, r);
    const [first] = parseTrace(messages[0]?.headers[TRACE_HEADER]).slice(1);
    expect(first).toBeGreaterThanOrEqual(origin + 2_000);
    expect(messages[1]?.headers[TRACE_HEADER]).toBe(`${origin},${origin + 1}`);
    expect(r.seen.map((x) => x.hop)).toEqual(['command_sent']);
    expect(r.seen[0]?.s).toBeGreaterThanOrEqual(0.002);
    acked();
    expect(r.seen.map((x) => x.hop)).toEqual(['command_sent', 'command_acked']);
  });
});
