import { describe, expect, it } from 'vitest';
import { formatEuro } from './euro.ts';

describe('formatEuro', () => {
  it.each([
    [1000n, '€10,00'],
    [123456n, '€1.234,56'],
    [-1234n, '€-12,34'],
    [0n, '€0,00'],
    [5n, '€0,05'],
    [-5n, '€-0,05'],
    [99n, '€0,99'],
    [100000n, '€1.000,00'],
    [99999n, '€999,99'],
    [-5000000n, '€-50.000,00'],
    [12345678901n, '€123.456.789,01'],
  ])('formats %s cents as %s', (cents, text) => {
    expect(formatEuro(cents)).toBe(text);
  });

  it('stays exact past 2^53: the company balance of 10^17 cents', () => {
    expect(formatEuro(10n ** 17n)).toBe('€1.000.000.000.000.000,00');
    // 2^53 + 1 cents cannot be represented as a double; the last digit proves no float was involved.
    expect(formatEuro(2n ** 53n + 1n)).toBe('€90.071.992.547.409,93');
    expect(formatEuro(-(10n ** 17n) - 1n)).toBe('€-1.000.000.000.000.000,01');
  });
});
