import { describe, expect, it } from 'vitest';
import { matches, type TransactionRow, toTransaction } from './transaction.ts';

const row = (over: Partial<TransactionRow> = {}): TransactionRow => ({
  id: 7,
  iban: 'NL66OPEN0000000000',
  newBalance: 123456n,
  changedBy: 2000n,
  fromTo: 'cash',
  description: 'deposit',
  ...over,
});

describe('toTransaction', () => {
  it('maps a credit with euro strings and the original field names', () => {
    expect(toTransaction(row())).toEqual({
      id: 7,
      iban: 'NL66OPEN0000000000',
      new_balance: '€1.234,56',
      changed_by: '€20,00',
      from_to: 'cash',
      descr: 'deposit',
      direction: 'CREDIT',
    });
  });

  it('shows a negative change as an absolute amount with direction DEBIT', () => {
    const t = toTransaction(row({ changedBy: -1234n, newBalance: -1234n }));
    expect(t.changed_by).toBe('€12,34');
    expect(t.new_balance).toBe('€-12,34');
    expect(t.direction).toBe('DEBIT');
  });

  it('keeps balances past 2^53 exact', () => {
    expect(toTransaction(row({ newBalance: 10n ** 17n - 1n })).new_balance).toBe('€999.999.999.999.999,99');
  });
});

describe('matches', () => {
  it('lets everything through without filters, also with explicit nulls', () => {
    expect(matches({}, row())).toBe(true);
    expect(matches({ iban: null, minAmount: null, direction: null }, row({ changedBy: -1n }))).toBe(true);
  });

  it('filters on iban', () => {
    expect(matches({ iban: 'NL66OPEN0000000000' }, row())).toBe(true);
    expect(matches({ iban: 'NL11OPEN0000000001' }, row())).toBe(false);
  });

  it('compares min_amount with the absolute cents changed, inclusive', () => {
    expect(matches({ minAmount: 2000 }, row({ changedBy: -2000n }))).toBe(true);
    expect(matches({ minAmount: 2001 }, row({ changedBy: -2000n }))).toBe(false);
    expect(matches({ minAmount: 2000 }, row({ changedBy: 2000n }))).toBe(true);
    expect(matches({ minAmount: 0 }, row({ changedBy: 0n }))).toBe(true);
  });

  it('filters on direction', () => {
    expect(matches({ direction: 'DEBIT' }, row({ changedBy: -1n }))).toBe(true);
    expect(matches({ direction: 'DEBIT' }, row({ changedBy: 1n }))).toBe(false);
    expect(matches({ direction: 'CREDIT' }, row({ changedBy: 1n }))).toBe(true);
  });

  it('needs every given filter to match', () => {
    const f = { iban: 'NL66OPEN0000000000', minAmount: 1000, direction: 'DEBIT' } as const;
    expect(matches(f, row({ changedBy: -1500n }))).toBe(true);
    expect(matches(f, row({ changedBy: 1500n }))).toBe(false);
    expect(matches(f, row({ changedBy: -500n }))).toBe(false);
  });
});
