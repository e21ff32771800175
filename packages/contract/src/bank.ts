/** The bank's company account (SPEC §3): pays salaries, receives card payments and the benchmark's transfers. */
export const COMPANY_IBAN = 'NL66OPEN0000000000';
/** The counter-party and token for cash deposits and withdrawals. */
export const CASH = 'cash';

/** Spaces as people type them dropped, letters upper-cased. */
export function compactIban(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

/** ISO 13616 mod-97 remainder of an IBAN (letters count as 10..35, the first four characters go last). */
export function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder;
}

/** The two check digits that make `country` + digits + `bban` a valid IBAN. */
export function ibanCheckDigits(country: string, bban: string): string {
  return String(98 - ibanRemainder(`${country}00${bban}`)).padStart(2, '0');
}

/** ISO 13616: two letters, two check digits, up to 30 letters or digits, and the mod-97 check holds. */
export function isValidIban(iban: string): boolean {
  return /^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(iban) && ibanRemainder(iban) === 1;
}

/** In groups of four, as printed on a bank card: `NL66 OPEN 0000 0000 00`. */
export function groupIban(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, '$1 ');
}

/** What clients may send; the endpoint refuses anything outside, the app says so before sending. */
export const Limits = {
  /** A single transfer moves at most a million euro. */
  maxAmountCents: 100_000_000,
  maxDescription: 200,
  maxUsername: 100,
  maxPassword: 128,
  maxItems: 1000,
  /** The app asks for at least this many characters of a username and a password; the endpoint, for one. */
  minCredential: 8,
} as const;
