import { createGraphQLError, createSchema } from 'graphql-yoga';
import type { AccountResult, Caller, MoneyTransferResult } from './bank.ts';
import { BadInputError, HeartbeatControlError } from './errors.ts';
import type { HeartbeatRate, LiveFigures } from './live/figures.ts';
import { MAX_CONTROL_RATE } from './live/source.ts';
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

  "A rate by kind and outcome (commands: kind account or transfer, outcome confirmed or the failure reason)."
  type LiveRate {
    kind: String!
    outcome: String!
    per_second: Float!
  }

  "One hop of a command's trace: how many passed it per second, and its quantiles (null without observations)."
  type LiveHop {
    hop: String!
    per_second: Float!
    p50_ms: Float
    p99_ms: Float
  }

  "Messages a service's consumer is behind on a topic (summed over partitions)."
  type LiveLag {
    service: String!
    topic: String!
    lag: Float!
  }

  "One scraped service: whether it answered, its CPU (100 = one core) and resident memory."
  type LiveService {
    name: String!
    up: Boolean!
    cpu_percent: Float
    memory_mb: Float
  }

  "The bank's core figures over the last few seconds, from the services' /metrics."
  type LiveMetrics {
    at: String!
    window_seconds: Float!
    commands_per_second: Float!
    commands: [LiveRate!]!
    generated_per_second: Float!
    heartbeats_per_second: Float!
    heartbeat_target_per_second: Float
    latency_p50_ms: Float
    latency_p99_ms: Float
    latency_source: String!
    hops: [LiveHop!]!
    lag: [LiveLag!]!
    dead_lettered_per_second: Float!
    kafka_transaction_retries_per_second: Float!
    db_transaction_retries_per_second: Float!
    websockets: Float!
    subscriptions: Float!
    pending_answers: Float!
    services: [LiveService!]!
    "Whether set_heartbeat_rate is allowed here."
    heartbeat_control: Boolean!
  }

  type HeartbeatRate {
    batch_size: Int!
    interval_ms: Int!
    per_second: Float!
  }

  type Mutation {
    "Sets the background load (heartbeats per second, rounded to tens); only where LIVE_HEARTBEAT_CONTROL is on."
    set_heartbeat_rate(per_second: Int!): HeartbeatRate
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
    "The bank's core figures, every couple of seconds while subscribed."
    live_metrics: LiveMetrics
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
  liveMetrics(): AsyncIterableIterator<LiveFigures>;
  setHeartbeatRate(perSecond: number): Promise<HeartbeatRate>;
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

function validRate(perSecond: number): number {
  if (!Number.isInteger(perSecond) || perSecond < 0 || perSecond > MAX_CONTROL_RATE) {
    throw new BadInputError('per_second', `per_second must be a whole number from 0 to ${MAX_CONTROL_RATE}`);
  }
  return perSecond;
}

export function createBankSchema(api: EndpointApi) {
  return createSchema({
    typeDefs,
    resolvers: {
      Mutation: {
        set_heartbeat_rate: async (_: unknown, args: { per_second: number }) => {
          const perSecond = checked(() => validRate(args.per_second));
          try {
            const rate = await api.setHeartbeatRate(perSecond);
            return {
              batch_size: rate.batchSize,
              interval_ms: rate.intervalMs,
              per_second: (rate.batchSize * 1000) / rate.intervalMs,
            };
          } catch (e) {
            if (e instanceof HeartbeatControlError)
              throw createGraphQLError(e.message, { extensions: { code: e.code } });
            throw e;
          }
        },
      },
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
        live_metrics: {
          subscribe: () => api.liveMetrics(),
          resolve: (figures: LiveFigures) => figures,
        },
      },
    },
  });
}
