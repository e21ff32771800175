import { HOP_PATH, HOPS } from '@open-bank/contract';
import { describe, expect, it } from 'vitest';
import { type HopScrape, hopRowFields, hopsOfMetrics, mergedHopFigures } from './hops.ts';

const INF = Number.POSITIVE_INFINITY;
const scrape = (services: Record<string, Record<string, number[]>>): HopScrape =>
  new Map(
    Object.entries(services).map(([svc, hops]) => [
      svc,
      new Map(Object.entries(hops).map(([hop, counts]) => [hop, { le: [0.001, 0.01, INF], counts }])),
    ]),
  );

describe('hop figures of a resource row', () => {
  it('reads nothing from a service whose hop histogram has no observations yet', () => {
    const text = '# HELP open_bank_hop_seconds x\n# TYPE open_bank_hop_seconds histogram\n';
    expect(hopsOfMetrics(text).size).toBe(0);
    const fields = hopRowFields(new Map(), new Map([['command-handler', hopsOfMetrics(text)]]));
    expect(Object.keys(fields.hops)).toEqual([...HOPS]);
    expect(Object.values(fields.hops).every((v) => v === null)).toBe(true);
    expect(fields.hopHistograms).toBeUndefined();
  });

  it('has the median and p99 of what every service observed since the previous row', () => {
    const before = scrape({ 'graphql-endpoint': { command_sent: [2, 2, 2] } });
    const after = scrape({
      'graphql-endpoint': { command_sent: [2, 12, 12], subscription_pushed: [0, 0, 0] },
      'command-generator': { command_sent: [0, 10, 10] },
    });
    const { hops, hopHistograms } = hopRowFields(before, after);
    // 20 new observations, all in 1–10 ms: the median half-way through that bucket
    expect(hops.command_sent).toEqual({ n: 20, p50Ms: 5.5, p99Ms: 9.91 });
    expect(hops.subscription_pushed).toBeNull();
    expect(hops[HOP_PATH[1]]).toBeNull();
    expect(hopHistograms).toEqual({ leSeconds: [0.001, 0.01], counts: { command_sent: [0, 20, 20] } });
  });

  it('merges the histograms of several rows for a load', () => {
    const a = { leSeconds: [0.001, 0.01], counts: { command_sent: [10, 10, 10] } };
    const b = { leSeconds: [0.001, 0.01], counts: { command_sent: [0, 10, 10], total: [0, 0, 1] } };
    expect(mergedHopFigures([a, b])).toEqual({
      command_sent: { n: 20, p50Ms: 1, p99Ms: 9.82 },
      total: { n: 1, p50Ms: 10, p99Ms: 10 },
    });
  });
});
