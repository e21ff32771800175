import { randomInt } from 'node:crypto';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

/** The bank's own account, which pays salaries and receives card payments; it starts very rich. */
export const COMPANY_IBAN = 'NL66OPEN0000000000';
export const COMPANY_TOKEN = '00000000000000000000';
export const COMPANY_START_BALANCE = 10n ** 17n;
/** Every account may go this far below zero (in cents): 500 euro. */
export const ACCOUNT_LIMIT = -50_000n;
/** The counter-party and token for cash deposits and withdrawals. */
export const CASH = 'cash';

const BANK_IBAN = /^NL\d{2}OPEN0\d{9}$/;

/** An IBAN of this bank: NL, 2 check digits, OPEN, 10 digits starting with 0, and a valid mod-97 check. */
export function isBankIban(value: string): boolean {
  return BANK_IBAN.test(value) && isValidIBAN(value);
}

/** Any valid IBAN, of this bank or another, in electronic format (no spaces). */
export function isValidIban(value: string): boolean {
  return isValidIBAN(value);
}

/** mod-97 check digits (ISO 13616) for an account number of this bank. */
function checkDigits(bban: string): string {
  // Letters count as 10..35 and the country code plus '00' goes to the end before taking the remainder.
  const rearranged = `${bban}NL00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const digit of rearranged) rest = (rest * 10 + Number(digit)) % 97;
  return String(98 - rest).padStart(2, '0');
}

/**
 * Builds a bank IBAN from nine random digits (the tenth, leading digit is always 0).
 * `digit` draws a uniformly random decimal digit; pass a seeded one in tests.
 */
export function newBankIban(digit: () => number = secureDigit): string {
  let account = '0';
  for (let i = 0; i < 9; i++) account += String(digit());
  const bban = `OPEN${account}`;
  const iban = `NL${checkDigits(bban)}${bban}`;
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
