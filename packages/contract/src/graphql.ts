/** The GraphQL API's result and input types, as the endpoint serves them and the app reads them. */

export type Direction = 'DEBIT' | 'CREDIT';

/**
 * The GraphQL `Transaction` type, field names as the original's clients expect them; nullable where the
 * schema says so (the endpoint always fills them, a client must not rely on it).
 */
export interface Transaction {
  readonly id: number;
  readonly iban: string | null;
  readonly new_balance: string | null;
  readonly changed_by: string | null;
  readonly from_to: string | null;
  readonly descr: string | null;
  readonly direction: Direction | null;
}

/** The GraphQL `AccountResult`: iban and token, or the reason the account could not be had. */
export interface AccountResult {
  readonly iban: string | null;
  readonly token: string | null;
  readonly reason: string | null;
}

/** The GraphQL `MoneyTransferResult`. */
export interface MoneyTransferResult {
  readonly uuid: string | null;
  readonly success: boolean | null;
  readonly reason: string | null;
}

/** The arguments of the `money_transfer` mutation; `amount` in cents. */
export interface MoneyTransferInput {
  readonly uuid: string;
  readonly token: string;
  readonly amount: number;
  readonly from: string;
  readonly to: string;
  readonly descr: string;
}
