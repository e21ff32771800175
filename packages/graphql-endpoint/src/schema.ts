import { createGraphQLError, createSchema } from 'graphql-yoga';
import type { AccountResult, Caller, MoneyTransferResult } from './bank.ts';
import { BadInputError } from './errors.ts';
import { type TransactionFilter, type TransactionRow, toTransaction } from './transaction.ts';
import {
  type Credentials,
  type MoneyTransferInput,
  type MoneyTransferRequest,
  type StreamArguments,
  validCredentials,
  validFilter,
  validIban,
  validMaxItems,
  validMoneyTransfer,
} from './validation.ts';

/** SPEC §4: names exactly as the original's, so its clients keep working. */
export const typeDefs = /* GraphQL */ `
  enum dtype {
    DEBIT
    CREDIT
  }

  type Transaction {
    id: Int!
    iban: String
    new_balance: String
    changed_by: String
    from_to: String
    descr: String
    direction: dtype
  }

  type AccountResult {
    iban: String
    token: String
    reason: String
  }

  type MoneyTransferResult {
    uuid: String
    success: Boolean
    reason: String
  }

  type Query {
    transaction_by_id(id: Int!): Transaction
    "Newest first."
    transactions_by_iban(iban: String!, max_items: Int!): [Transaction]
    "The latest transaction of every iban, by iban."
    all_last_transactions: [Transaction]
  }

  type Subscription {
    "Transactions as they are stored; every filter is optional, min_amount compares absolute cents."
    stream_transactions(iban: String, min_amount: Int, direction: dtype): Transaction
    "Opens an account on first use of a username, answers the same account for the same password after."
    get_account(username: String!, password: String!): AccountResult
    "The uuid is chosen by the client and makes the request idempotent."
    money_transfer(
      uuid: String!
      token: String!
      amount: Int!
      from: String!
      to: String!
      descr: String!
    ): MoneyTransferResult
  }
`;

/** What the resolvers need: reads of transactiondb, live transactions and the two commands. */
export interface EndpointApi {
  transactionById(id: number): Promise<TransactionRow | null>;
  transactionsByIban(iban: string, maxItems: number): Promise<TransactionRow[]>;
  lastTransactions(): Promise<TransactionRow[]>;
  streamTransactions(filter: TransactionFilter): AsyncIterableIterator<TransactionRow>;
  getAccount(credentials: Credentials, caller: Caller): Promise<AccountResult>;
  moneyTransfer(request: MoneyTransferRequest): Promise<MoneyTransferResult>;
}

/**
 * Bad input becomes a GraphQL error the client sees as is; anything else stays for the server's masking.
 * Made by yoga's own helper, so it is an instance of the graphql build yoga checks against.
 */
function checked<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BadInputError) {
      throw createGraphQLError(e.message, { extensions: { code: e.code, argument: e.argument } });
    }
    throw e;
  }
}

/**
 * A subscription that answers once: the request starts when subscribed and its result (or error) is the
 * single event. The outcome is captured at once, so a client leaving before it arrives leaves no unhandled
 * rejection behind; the request itself finishes on its own (it is idempotent anyway).
 */
function once<T>(work: Promise<T>): AsyncGenerator<T | Failed> {
  const outcome = work.then(
    (value) => value,
    (error: unknown) => new Failed(error),
  );
  return (async function* () {
    yield await outcome;
  })();
}

class Failed {
  constructor(readonly error: unknown) {}
}

function unwrap<T>(payload: T | Failed): T {
  if (payload instanceof Failed) throw payload.error;
  return payload;
}

export function createBankSchema(api: EndpointApi) {
  return createSchema({
    typeDefs,
    resolvers: {
      Query: {
        transaction_by_id: async (_: unknown, args: { id: number }) => {
          const row = await api.transactionById(args.id);
          return row ? toTransaction(row) : null;
        },
        transactions_by_iban: async (_: unknown, args: { iban: string; max_items: number }) => {
          const [iban, maxItems] = checked(() => [
            validIban('iban', args.iban),
            validMaxItems(args.max_items),
          ]);
          return (await api.transactionsByIban(iban as string, maxItems as number)).map(toTransaction);
        },
        all_last_transactions: async () => (await api.lastTransactions()).map(toTransaction),
      },
      Subscription: {
        stream_transactions: {
          subscribe: (_: unknown, args: StreamArguments) =>
            api.streamTransactions(checked(() => validFilter(args))),
          resolve: (row: TransactionRow) => toTransaction(row),
        },
        get_account: {
          subscribe: (_: unknown, args: Credentials, context: Partial<Caller>) =>
            once(
              api.getAccount(
                checked(() => validCredentials(args)),
                { client: context.client ?? 'unknown' },
              ),
            ),
          resolve: (payload: AccountResult | Failed) => unwrap(payload),
        },
        money_transfer: {
          subscribe: (_: unknown, args: MoneyTransferInput) =>
            once(api.moneyTransfer(checked(() => validMoneyTransfer(args)))),
          resolve: (payload: MoneyTransferResult | Failed) => unwrap(payload),
        },
      },
    },
  });
}
