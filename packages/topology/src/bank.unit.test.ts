import { isValidIBAN } from 'ibantools';
import { describe, expect, it } from 'vitest';
import { COMPANY_IBAN, isBankIban, isValidIban, newBankIban, newToken } from './bank.ts';
import { bytesToUuid, isUuid, uuidToBytes } from './uuid.ts';

function sequence(digits: number[]): () => number {
  let i = 0;
  return () => digits[i++ % digits.length] ?? 0;
}

describe('IBANs of this bank', () => {
  it('accepts the company account', () => {
    expect(isBankIban(COMPANY_IBAN)).toBe(true);
  });

  it('generates NL + check digits + OPEN + 10 digits starting with 0, valid under mod-97', () => {
    const iban = newBankIban(sequence([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(iban).toMatch(/^NL\d{2}OPEN0123456789$/);
    expect(isValidIBAN(iban)).toBe(true);
    expect(isBankIban(iban)).toBe(true);
    for (let i = 0; i < 200; i++) expect(isBankIban(newBankIban())).toBe(true);
  });

  it('refuses wrong check digits, other banks and a leading digit other than 0', () => {
    expect(isBankIban('NL67OPEN0000000000')).toBe(false);
    expect(isBankIban('NL91ABNA0417164300')).toBe(false);
    expect(isValidIBAN('NL91ABNA0417164300')).toBe(true);
    expect(isBankIban('cash')).toBe(false);
  });
});

describe('tokens', () => {
  it('are 20 decimal digits', () => {
    expect(newToken()).toMatch(/^\d{20}$/);
    expect(newToken(sequence([7]))).toBe('77777777777777777777');
    expect(new Set(Array.from({ length: 100 }, () => newToken())).size).toBe(100);
  });
});

describe('UUID bytes', () => {
  it('round-trips with the most significant byte first', () => {
    const id = '00112233-4455-6677-8899-aabbccddeeff';
    const bytes = uuidToBytes(id);
    expect(bytes).toHaveLength(16);
    expect(bytes[0]).toBe(0x00);
    expect(bytes[15]).toBe(0xff);
    expect(bytesToUuid(bytes)).toBe(id);
  });

  it('refuses what is not a UUID', () => {
    expect(isUuid('not-a-uuid')).toBe(false);
    expect(() => uuidToBytes('1234')).toThrow(/not a UUID/);
    expect(() => bytesToUuid(Buffer.alloc(15))).toThrow();
  });
});

describe('the browser-safe IBAN check of @open-bank/contract', () => {
  it('agrees with the server-side check on bank IBANs and their one-digit typos', async () => {
    const contract = await import('@open-bank/contract');
    let seed = 7;
    const digit = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 10;
    };
    for (let i = 0; i < 200; i++) {
      const iban = newBankIban(digit);
      expect(contract.isValidIban(iban)).toBe(true);
      const typo = `${iban.slice(0, 10)}${(Number(iban[10]) + 1) % 10}${iban.slice(11)}`;
      expect(contract.isValidIban(typo)).toBe(isValidIban(typo));
    }
    expect(contract.isValidIban(COMPANY_IBAN)).toBe(isBankIban(COMPANY_IBAN));
  });
});
