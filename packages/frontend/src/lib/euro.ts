/** The largest single transfer the endpoint accepts (a million euro), in cents. */
export const MAX_TRANSFER_CENTS = 100_000_000;

/**
 * Cents in the bank's own notation (SPEC §4), the same the API delivers: the euro sign directly followed by
 * the amount with Dutch separators, `€1.234,56`, `€-12,34`. Numbers are enough here: the app formats only
 * amounts people type, which stay far below 2^53.
 */
export function formatCents(cents: number): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.trunc(cents));
  const whole = Math.floor(abs / 100).toString();
  const fraction = (abs % 100).toString().padStart(2, '0');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `€${negative ? '-' : ''}${grouped},${fraction}`;
}

export type ParsedAmount =
  | { readonly ok: true; readonly cents: number }
  | { readonly ok: false; readonly error: string };

const WITH_COMMA = /^(\d{1,3}(?:\.\d{3})+|\d+),(\d{1,2})$/;
const GROUPED = /^\d{1,3}(?:\.\d{3})+$/;
const WITH_DOT = /^(\d+)\.(\d{1,2})$/;
const WHOLE = /^\d+$/;

/**
 * An amount as a person types it, in euro: `12`, `12,5`, `12,50`, `12.50`, `1.234,56` or `1.234`. A comma is
 * always the decimal mark (dots before it group thousands); without a comma, a dot followed by one or two
 * digits is the decimal mark and dots before groups of three digits group thousands.
 */
export function parseEuroInput(input: string): ParsedAmount {
  const text = input.trim().replace(/^€\s*/, '').replace(/\s+/g, '');
  if (text === '') return { ok: false, error: 'Enter an amount' };
  let whole: string;
  let fraction = '';
  const comma = WITH_COMMA.exec(text);
  const dot = WITH_DOT.exec(text);
  if (comma) {
    whole = (comma[1] ?? '').replaceAll('.', '');
    fraction = comma[2] ?? '';
  } else if (GROUPED.test(text)) {
    whole = text.replaceAll('.', '');
  } else if (dot) {
    whole = dot[1] ?? '';
    fraction = dot[2] ?? '';
  } else if (WHOLE.test(text)) {
    whole = text;
  } else {
    return { ok: false, error: 'Enter an amount in euro, like 12,50' };
  }
  if (whole.length > 9) return { ok: false, error: `At most ${formatCents(MAX_TRANSFER_CENTS)} at a time` };
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (cents < 1) return { ok: false, error: 'The amount must be more than zero' };
  if (cents > MAX_TRANSFER_CENTS) {
    return { ok: false, error: `At most ${formatCents(MAX_TRANSFER_CENTS)} at a time` };
  }
  return { ok: true, cents };
}

/**
 * The cents of an amount in the bank's notation (`€-1.234,56`), or null if it is not one. BigInt: balances
 * go past 2^53 (the company account holds 10^17 cents).
 */
export function euroToCents(text: string | null | undefined): bigint | null {
  const m = /^€(-?)(\d{1,3}(?:\.\d{3})*),(\d{2})$/.exec(text ?? '');
  if (!m) return null;
  const cents = BigInt((m[2] ?? '').replaceAll('.', '')) * 100n + BigInt(m[3] ?? '0');
  return m[1] === '-' ? -cents : cents;
}
