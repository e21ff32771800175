import { describe, expect, it } from 'vitest';
import { COMPANY_IBAN, compactIban, groupIban, isValidIban } from './bank.ts';

describe('iban', () => {
  it('accepts valid IBANs (mod 97) of this bank and others', () => {
    expect(isValidIban(COMPANY_IBAN)).toBe(true);
    expect(isValidIban('NL91ABNA0417164300')).toBe(true);
    expect(isValidIban('DE89370400440532013000')).toBe(true);
  });

  it('refuses a wrong check digit or malformed text', () => {
    expect(isValidIban('NL67OPEN0000000000')).toBe(false);
    expect(isValidIban('NL66 OPEN 0000 0000 00')).toBe(false);
    expect(isValidIban('cash')).toBe(false);
    expect(isValidIban('')).toBe(false);
  });

  it('compacts what people type and groups by four for display', () => {
    expect(compactIban(' nl66 open 0000 0000 00 ')).toBe(COMPANY_IBAN);
    expect(groupIban(COMPANY_IBAN)).toBe('NL66 OPEN 0000 0000 00');
  });
});
