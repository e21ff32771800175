import type { BalanceChanged } from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import { StoredAnswerError } from './errors.ts';
import { eventsFromJson, eventsToJson } from './stored.ts';

describe('stored events', () => {
  const events: BalanceChanged[] = [
    {
      iban: 'NL66OPEN0000000000',
      new_balance: 99_999_999_999_999_999n,
      changed_by: -9_007_199_254_740_993n,
      from_to: 'cash',
      description: 'a "quoted" \u0000 nul, \\ and ünïcödé 💶',
    },
    { iban: 'x', new_balance: 0n, changed_by: 0n, from_to: '', description: '' },
  ];

  it('round-trips exactly, amounts beyond 2^53 included', () => {
    expect(eventsFromJson(eventsToJson(events))).toEqual(events);
    expect(eventsFromJson(JSON.parse(eventsToJson(events)))).toEqual(events);
  });

  it('keeps amounts as strings in the JSON', () => {
    expect(JSON.parse(eventsToJson(events))[0].new_balance).toBe('99999999999999999');
  });

  it('reads a missing value as no events', () => {
    expect(eventsFromJson(null)).toEqual([]);
    expect(eventsToJson([])).toBe('[]');
  });

  it('refuses what it did not write', () => {
    expect(() => eventsFromJson({})).toThrow(StoredAnswerError);
    expect(() => eventsFromJson([{ iban: 'x', new_balance: 1 }])).toThrow(StoredAnswerError);
  });
});
