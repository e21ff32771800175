import type { AccountResult, MoneyTransferInput, MoneyTransferResult } from '@open-bank/contract';
import type { Transaction } from '../lib/transactions.ts';
import type { BankClient, StreamHandlers } from './graphql-client.ts';

const FIELDS = 'id iban new_balance changed_by from_to descr direction';

export type { AccountResult, MoneyTransferResult };
export type MoneyTransferRequest = MoneyTransferInput;

const present = (items: readonly (Transaction | null)[] | null): Transaction[] =>
  (items ?? []).filter((t): t is Transaction => t !== null);

/** Newest first. */
export async function transactionsByIban(client: BankClient, iban: string, maxItems: number) {
  const data = await client.query<{ transactions_by_iban: (Transaction | null)[] | null }>(
    `query TransactionsByIban($iban: String!, $max: Int!) { transactions_by_iban(iban: $iban, max_items: $max) { ${FIELDS} } }`,
    { iban, max: maxItems },
  );
  return present(data.transactions_by_iban);
}

/** The latest transaction of every account. */
export async function allLastTransactions(client: BankClient) {
  const data = await client.query<{ all_last_transactions: (Transaction | null)[] | null }>(
    `query AllLastTransactions { all_last_transactions { ${FIELDS} } }`,
  );
  return present(data.all_last_transactions);
}

export function streamTransactions(
  client: BankClient,
  iban: string,
  handlers: StreamHandlers<Transaction>,
): () => void {
  return client.stream<{ stream_transactions: Transaction | null }>(
    `subscription StreamTransactions($iban: String) { stream_transactions(iban: $iban) { ${FIELDS} } }`,
    { iban },
    {
      next: (data) => {
        if (data.stream_transactions) handlers.next(data.stream_transactions);
      },
      error: handlers.error,
    },
  );
}

/** Opens an account on first use of the username; the same account later for the same password. */
export async function getAccount(client: BankClient, username: string, password: string) {
  const data = await client.once<{ get_account: AccountResult | null }>(
    'subscription GetAccount($username: String!, $password: String!) { get_account(username: $username, password: $password) { iban token reason } }',
    { username, password },
  );
  return data.get_account ?? { iban: null, token: null, reason: 'no answer from the bank' };
}

/**
 * Idempotent by its uuid: sending the same request again gets the same answer and moves no money twice.
 * `onSent` gets the time the request left on the WebSocket.
 */
export async function moneyTransfer(
  client: BankClient,
  request: MoneyTransferRequest,
  onSent?: (at: number) => void,
) {
  const data = await client.once<{ money_transfer: MoneyTransferResult | null }>(
    `subscription MoneyTransfer($uuid: String!, $token: String!, $amount: Int!, $from: String!, $to: String!, $descr: String!) {
      money_transfer(uuid: $uuid, token: $token, amount: $amount, from: $from, to: $to, descr: $descr) { uuid success reason }
    }`,
    { ...request },
    onSent ? { onSent } : {},
  );
  return data.money_transfer ?? { uuid: request.uuid, success: false, reason: 'no answer from the bank' };
}
