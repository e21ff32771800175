import type { DepositEuro } from '@open-bank/frontend';

/** One timed interaction of a loop (SPEC §5), with its effect on the account's balance. */
export type Interaction =
  | { readonly kind: 'deposit'; readonly euro: DepositEuro; readonly cents: number }
  | { readonly kind: 'transfer'; readonly amount: string; readonly cents: number };

const DEPOSITS: readonly DepositEuro[] = [10, 20, 50, 100, 200];
// As typed into the transfer form; together they equal the deposits (380 euro), so a run's balance stays
// within a few euro of zero, far from the account's limit, however long it lasts.
const TRANSFERS = ['11,11', '23,23', '34,89', '99,99', '210,78'] as const;
const TRANSFER_CENTS = [1111, 2323, 3489, 9999, 21078] as const;

/** Loop 1 deposits 10, loop 2 transfers 11,11, loop 3 deposits 20, … cycling after ten loops. */
export function interactionFor(loop: number): Interaction {
  const i = Math.max(0, loop - 1);
  const k = Math.floor(i / 2) % 5;
  if (i % 2 === 0) {
    const euro = DEPOSITS[k] as DepositEuro;
    return { kind: 'deposit', euro, cents: euro * 100 };
  }
  return { kind: 'transfer', amount: TRANSFERS[k] as string, cents: -(TRANSFER_CENTS[k] as number) };
}

export function describeInteraction(i: Interaction): string {
  return i.kind === 'deposit' ? `deposit ${i.euro}` : `transfer ${i.amount}`;
}
