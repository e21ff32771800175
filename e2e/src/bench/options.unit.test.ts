import { describe, expect, it } from 'vitest';
import {
  FULL_DEFAULTS,
  normaliseArgv,
  progressLine,
  resolveOptions,
  SMOKE_DEFAULTS,
  scheduledLoad,
} from './options.ts';
import { loadAt } from './ramp.ts';

describe('bench options', () => {
  it('default to a full run that fits 15 minutes at the minimum loop time and passes 1000 msg/s', () => {
    expect((FULL_DEFAULTS.maxLoops * FULL_DEFAULTS.loopMs) / 60_000).toBeLessThanOrEqual(13);
    expect(loadAt(FULL_DEFAULTS.maxLoops, FULL_DEFAULTS)).toBeGreaterThan(1000);
    expect(SMOKE_DEFAULTS.maxLoops * SMOKE_DEFAULTS.loopMs).toBeLessThanOrEqual(60_000);
    expect(SMOKE_DEFAULTS.maxLoops / SMOKE_DEFAULTS.resourceEvery).toBeGreaterThanOrEqual(2);
  });

  it('take numbers and a name from the command line, over the smoke defaults with --smoke', () => {
    const r = resolveOptions({ smoke: true, name: 'tuned', 'max-loops': '12', step: '100' });
    expect(r).toEqual({
      ok: true,
      options: { ...SMOKE_DEFAULTS, name: 'tuned', maxLoops: 12, stepPerSecond: 100 },
    });
  });

  it('name every problem at once', () => {
    const r = resolveOptions({ name: 'no/slash', 'loop-ms': 'fast', step: '15', 'resource-every': '1' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.join('\n')).toMatch(/--name/);
      expect(r.problems.join('\n')).toMatch(/--loop-ms/);
      expect(r.problems.join('\n')).toMatch(/step 15/);
      expect(r.problems.join('\n')).toMatch(/--resource-every/);
    }
  });

  it('show loop, load, last latency and time-outs in the progress line', () => {
    expect(progressLine({ loop: 7, maxLoops: 750, load: 50, lastMs: 412, timeouts: 1, maxTimeouts: 3 })).toBe(
      'loop 7/750  load 50 msg/s  last 412 ms  time-outs 1/3',
    );
  });
});

describe('bench modes and presets', () => {
  const ok = (given: Record<string, string | boolean>) => {
    const r = resolveOptions(given);
    if (!r.ok) throw new Error(r.problems.join('; '));
    return r.options;
  };

  it('has the original ramp as a preset, and a saturating one that reaches 10 000 msg/s within 20 minutes', () => {
    const original = ok({ preset: 'original' });
    expect(original).toMatchObject({ stepPerSecond: 10, cycleLoops: 40, preset: 'original', mode: 'ramp' });
    expect(loadAt(41, original)).toBe(10);
    const sat = ok({ 'until-saturated': true });
    expect(sat.preset).toBe('until-saturated');
    expect((sat.maxLoops * sat.loopMs) / 60_000).toBeLessThanOrEqual(20);
    expect(loadAt(sat.maxLoops, sat)).toBeGreaterThanOrEqual(10_000);
    // a number on the command line wins over the preset
    expect(ok({ preset: 'original', 'max-loops': '100' }).maxLoops).toBe(100);
  });

  it('holds each steady load for --per-load loops, the default loads when none are named', () => {
    const argv = normaliseArgv(['--steady', '--per-load', '20']);
    expect(argv).toEqual(['--steady', 'default', '--per-load', '20']);
    const o = ok({ steady: 'default', 'per-load': '20' });
    expect(o).toMatchObject({ mode: 'steady', steadyLoads: [0, 100, 1000, 2000, 5000], perLoad: 20 });
    expect(o.maxLoops).toBe(100);
    expect([1, 20, 21, 40, 100].map((l) => scheduledLoad(l, o))).toEqual([0, 0, 100, 100, 5000]);
    expect(ok({ steady: '0,250' }).steadyLoads).toEqual([0, 250]);
    expect(scheduledLoad(30, FULL_DEFAULTS)).toBe(50);
  });

  it('has a short steady smoke', () => {
    const o = ok({ smoke: true, steady: 'default' });
    expect(o).toMatchObject({ mode: 'steady', steadyLoads: [0, 100], perLoad: 5, resourceEvery: 5 });
    expect(o.maxLoops).toBe(10);
  });

  it('warms a steady run up for 30 s unless told otherwise, and a ramp or a smoke run not at all', () => {
    expect(ok({ steady: 'default' }).warmupSeconds).toBe(30);
    expect(ok({ steady: 'default', warmup: '0' }).warmupSeconds).toBe(0);
    expect(ok({ warmup: '10' }).warmupSeconds).toBe(10);
    expect(ok({}).warmupSeconds).toBe(0);
    expect(ok({ smoke: true, steady: 'default' }).warmupSeconds).toBe(0);
    const bad = resolveOptions({ warmup: '-1' });
    expect(bad.ok ? '' : bad.problems.join('\n')).toMatch(/--warmup/);
  });

  it('records the Kafka client and broker count to run on', () => {
    expect(ok({})).toMatchObject({ kafkaClient: 'kafkajs', brokers: undefined });
    expect(ok({ 'kafka-client': 'confluent', brokers: '3' })).toMatchObject({
      kafkaClient: 'confluent',
      brokers: 3,
    });
  });

  it('refuses what does not fit together, naming every problem', () => {
    const r = resolveOptions({
      steady: '0,15,x',
      step: '10',
      preset: 'fast',
      'kafka-client': 'rdkafka',
      brokers: '2',
    });
    expect(r.ok).toBe(false);
    const text = r.ok ? '' : r.problems.join('\n');
    for (const m of [
      /--steady: want loads/,
      /--step is for ramps/,
      /--preset: one of/,
      /--kafka-client/,
      /--brokers/,
    ])
      expect(text).toMatch(m);
    const odd = resolveOptions({ steady: '15' });
    expect(odd.ok ? '' : odd.problems.join('\n')).toMatch(/whole number of beats/);
    const uneven = resolveOptions({ steady: '0', 'per-load': '30' });
    expect(uneven.ok ? '' : uneven.problems.join('\n')).toMatch(/multiple of --resource-every/);
    expect(resolveOptions({ smoke: true, preset: 'original' }).ok).toBe(false);
    expect(resolveOptions({ 'per-load': '20' }).ok).toBe(false);
  });
});
