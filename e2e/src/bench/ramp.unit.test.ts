import { describe, expect, it } from 'vitest';
import { batchSizeFor, loadAt, loadOf, rampProblems } from './ramp.ts';

const ramp = { stepPerSecond: 50, cycleLoops: 25, intervalMs: 100 };

describe('ramp', () => {
  it('keeps the first cycle idle and adds a step every cycle', () => {
    expect(loadAt(1, ramp)).toBe(0);
    expect(loadAt(25, ramp)).toBe(0);
    expect(loadAt(26, ramp)).toBe(50);
    expect(loadAt(501, ramp)).toBe(1000);
    expect(loadAt(750, ramp)).toBe(1450);
  });

  it('turns a load into beats per tick and back', () => {
    expect(batchSizeFor(1000, 100)).toBe(100);
    expect(batchSizeFor(50, 100)).toBe(5);
    expect(loadOf(5, 100)).toBe(50);
    expect(loadOf(batchSizeFor(330, 100), 100)).toBe(330);
  });

  it('refuses steps that are not whole beats per tick', () => {
    expect(rampProblems(ramp)).toEqual([]);
    expect(rampProblems({ ...ramp, stepPerSecond: 15 })).toHaveLength(1);
    expect(rampProblems({ ...ramp, cycleLoops: 0 })[0]).toContain('cycle');
  });
});
