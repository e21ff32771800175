import { describe, expect, it } from 'vitest';
import { describeInteraction, interactionFor } from './interactions.ts';

describe('interactions', () => {
  it('alternates deposits and transfers to the company, cycling after ten loops', () => {
    expect(describeInteraction(interactionFor(1))).toBe('deposit 10');
    expect(describeInteraction(interactionFor(2))).toBe('transfer 11,11');
    expect(describeInteraction(interactionFor(9))).toBe('deposit 200');
    expect(describeInteraction(interactionFor(10))).toBe('transfer 210,78');
    expect(interactionFor(11)).toEqual(interactionFor(1));
  });

  it('keeps the balance near zero: a whole cycle changes nothing, and no prefix goes below the limit', () => {
    let balance = 0;
    let lowest = 0;
    for (let loop = 1; loop <= 10; loop++) {
      balance += interactionFor(loop).cents;
      lowest = Math.min(lowest, balance);
    }
    expect(balance).toBe(0);
    expect(lowest).toBeGreaterThan(-50_000);
  });
});
