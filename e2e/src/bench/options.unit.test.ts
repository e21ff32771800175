import { describe, expect, it } from 'vitest';
import { FULL_DEFAULTS, progressLine, resolveOptions, SMOKE_DEFAULTS } from './options.ts';
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
