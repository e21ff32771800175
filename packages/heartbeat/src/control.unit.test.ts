import { describe, expect, it } from 'vitest';
import { parseRateChange } from './control.ts';
import { InvalidRateError } from './errors.ts';

const refused = (body: string) => {
  try {
    parseRateChange(body);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRateError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${body}`);
};

describe('parseRateChange', () => {
  it('takes batchSize, intervalMs or both', () => {
    expect(parseRateChange('{"batchSize": 10}')).toEqual({ batchSize: 10 });
    expect(parseRateChange('{"intervalMs": 50}')).toEqual({ intervalMs: 50 });
    expect(parseRateChange('{"batchSize": 0, "intervalMs": 60000}')).toEqual({
      batchSize: 0,
      intervalMs: 60_000,
    });
    expect(parseRateChange('{"batchSize": 100000, "intervalMs": 10}')).toEqual({
      batchSize: 100_000,
      intervalMs: 10,
    });
  });

  it('refuses what is not a JSON object', () => {
    expect(refused('')).toMatch(/JSON/);
    expect(refused('{batchSize: 1}')).toMatch(/JSON/);
    expect(refused('[1]')).toMatch(/object/);
    expect(refused('7')).toMatch(/object/);
    expect(refused('null')).toMatch(/object/);
  });

  it('refuses an empty change and unknown fields', () => {
    expect(refused('{}')).toMatch(/batchSize and\/or intervalMs/);
    expect(refused('{"batchSize": 1, "rate": 3}')).toMatch(/unknown field\(s\) rate/);
  });

  it('refuses values that are negative, fractional, too large, or not numbers', () => {
    expect(refused('{"batchSize": -1}')).toMatch(/batchSize must be a whole number from 0 to 100000/);
    expect(refused('{"batchSize": 2.5}')).toMatch(/batchSize/);
    expect(refused('{"batchSize": 100001}')).toMatch(/batchSize/);
    expect(refused('{"batchSize": "10"}')).toMatch(/batchSize/);
    expect(refused('{"batchSize": null}')).toMatch(/batchSize/);
    expect(refused('{"intervalMs": 9}')).toMatch(/intervalMs must be a whole number from 10 to 60000/);
    expect(refused('{"intervalMs": 60001}')).toMatch(/intervalMs/);
  });

  it('names every problem at once', () => {
    const message = refused('{"batchSize": -1, "intervalMs": 0, "x": 1}');
    expect(message).toMatch(/unknown field\(s\) x/);
    expect(message).toMatch(/batchSize/);
    expect(message).toMatch(/intervalMs/);
  });
});
