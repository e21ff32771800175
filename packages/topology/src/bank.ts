import { randomInt } from 'node:crypto';
import { CASH, COMPANY_IBAN, ibanCheckDigits } from '@open-bank/contract';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

export { CASH, COMPANY_IBAN };
export const COMPANY_TOKEN = '00000000000000000000';
export const COMPANY_START_BALANCE = 10n ** 17n;
/** Every account may go this far below zero (in cents): 500 euro. */
export const ACCOUNT_LIMIT = -50_000n;

const BANK_IBAN = /^NL\d{2}OPEN0\d{9}$/;

/** An IBAN of this bank: NL, 2 check digits, OPEN, 10 digits starting with 0, and a valid mod-97 check. */
export function isBankIban(value: string): boolean {
  return BANK_IBAN.test(value) && isValidIBAN(value);
}

/** Any valid IBAN, of this bank or another, in electronic format (no spaces). */
export function isValidIban(value: string): boolean {
  return isValidIBAN(value);
}

/**
 * Builds a bank IBAN from nine random digits (the tenth, leading digit is always 0).
 * `digit` draws a uniformly random decimal digit; pass a seeded one in tests.
 */
export function newBankIban(digit: () => number = secureDigit): string {
  let account = '0';
  for (let i = 0; i < 9; i++) account += String(digit());
  const bban = `OPEN${account}`;
  const iban = `NL${ibanCheckDigits('NL', bban)}${bban}`;
  return electronicFormatIBAN(iban) ?? iban;
}

export function secureDigit(): number {
  return randomInt(0, 10);
}

/** 20 decimal digits from a cryptographically secure source. */
export function newToken(digit: () => number = secureDigit): string {
  let token = '';
  for (let i = 0; i < 20; i++) token += String(digit());
  return token;
}
