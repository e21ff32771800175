import { describe, expect, it } from 'vitest';
import { euroToCents, formatCents, MAX_TRANSFER_CENTS, parseEuroInput } from './euro.ts';

describe('formatCents', () => {
  it('writes the bank notation: euro sign, dots between thousands, comma before cents', () => {
    expect(formatCents(1000)).toBe('€10,00');
    expect(formatCents(5)).toBe('€0,05');
    expect(formatCents(123456)).toBe('€1.234,56');
    expect(formatCents(100_000_000)).toBe('€1.000.000,00');
    expect(formatCents(-1234)).toBe('€-12,34');
  });
});

describe('parseEuroInput', () => {
  const cents = (s: string) => {
    const r = parseEuroInput(s);
    return r.ok ? r.cents : r.error;
  };

  it('reads the ways people type euros', () => {
    expect(cents('10')).toBe(1000);
    expect(cents('10,5')).toBe(1050);
    expect(cents('10,50')).toBe(1050);
    expect(cents('10.50')).toBe(1050);
    expect(cents(' €11,11 ')).toBe(1111);
    expect(cents('1.234,56')).toBe(123456);
    expect(cents('1.234')).toBe(123400);
    expect(cents('210,78')).toBe(21078);
    expect(cents('0,01')).toBe(1);
  });

  it('refuses what is not an amount, zero, and more than a transfer may move', () => {
    expect(parseEuroInput('').ok).toBe(false);
    expect(parseEuroInput('abc').ok).toBe(false);
    expect(parseEuroInput('-5').ok).toBe(false);
    expect(parseEuroInput('1,234').ok).toBe(false);
    expect(parseEuroInput('12.345.6').ok).toBe(false);
    expect(parseEuroInput('0').ok).toBe(false);
    expect(parseEuroInput('0,00').ok).toBe(false);
    expect(cents('1.000.000,00')).toBe(MAX_TRANSFER_CENTS);
    expect(parseEuroInput('1.000.000,01').ok).toBe(false);
    expect(parseEuroInput('99999999999').ok).toBe(false);
  });
});

describe('euroToCents', () => {
  it('reads amounts as the API delivers them, exactly beyond 2^53', () => {
    expect(euroToCents('€10,00')).toBe(1000n);
    expect(euroToCents('€-12,34')).toBe(-1234n);
    expect(euroToCents('€1.000.000.000.000.000,00')).toBe(10n ** 17n);
    expect(euroToCents('10,00')).toBeNull();
    expect(euroToCents(null)).toBeNull();
  });
});
