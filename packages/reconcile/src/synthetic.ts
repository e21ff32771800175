import {
  ACCOUNT_LIMIT,
  type AccountCreationConfirmed,
  type BalanceChanged,
  CASH,
  COMPANY_IBAN,
  COMPANY_START_BALANCE,
  COMPANY_TOKEN,
  type ConfirmAccountCreation,
  type ConfirmMoneyTransfer,
  type MoneyTransferFailed,
  newBankIban,
  newToken,
} from '@open-bank/topology';

/**
 * A synthetic but valid bank history, drawn from a seeded generator: accounts opened, then transfers of every
 * kind (deposits, withdrawals, transfers inside the bank, payments out, money from other banks, failures), each
 * answered as the command handler would, with the BalanceChanged events a confirmed one causes. It feeds the
 * reconciliation's unit tests and the generator that writes a large history for the 10 million measurement.
 */
export type HistoryItem =
  | { readonly kind: 'accountCommand'; readonly value: ConfirmAccountCreation }
  | { readonly kind: 'accountConfirmed'; readonly value: AccountCreationConfirmed }
  | { readonly kind: 'transferCommand'; readonly value: ConfirmMoneyTransfer }
  | { readonly kind: 'transferConfirmed'; readonly value: { id: Buffer } }
  | { readonly kind: 'transferFailed'; readonly value: MoneyTransferFailed }
  | { readonly kind: 'balanceChanged'; readonly value: BalanceChanged };

export interface HistoryOptions {
  readonly accounts: number;
  readonly transfers: number;
  readonly seed?: number;
}

/** mulberry32: small, fast and good enough to draw test data from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function idFrom(random: () => number): Buffer {
  const id = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i += 4) id.writeUInt32BE(Math.floor(random() * 4294967296), i);
  return id;
}

/** IBANs of another bank (valid mod-97, not OPEN): where payments go out to and money comes in from. */
const OUTSIDE = ['NL91ABNA0417164300', 'DE89370400440532013000', 'GB29NWBK60161331926819'];

export interface FinalAccount {
  readonly iban: string;
  readonly token: string;
  balance: bigint;
  readonly limit: bigint;
}

/**
 * The history, item by item (so a large one never sits in memory), and the accounts' final state, complete
 * once the iteration has ended: what balancedb must hold.
 */
export function syntheticHistory(options: HistoryOptions): {
  items: Generator<HistoryItem>;
  accounts: Map<string, FinalAccount>;
} {
  const random = seededRandom(options.seed ?? 1);
  const digit = () => Math.floor(random() * 10);
  const accounts = new Map<string, FinalAccount>([
    [
      COMPANY_IBAN,
      { iban: COMPANY_IBAN, token: COMPANY_TOKEN, balance: COMPANY_START_BALANCE, limit: ACCOUNT_LIMIT },
    ],
  ]);
  const list: FinalAccount[] = [];

  function* items(): Generator<HistoryItem> {
    for (let i = 0; i < options.accounts; i++) {
      const id = idFrom(random);
      yield { kind: 'accountCommand', value: { id, a_type: 'AUTO' } };
      let iban = newBankIban(digit);
      while (accounts.has(iban)) iban = newBankIban(digit);
      const account = { iban, token: newToken(digit), balance: 0n, limit: ACCOUNT_LIMIT };
      accounts.set(iban, account);
      list.push(account);
      yield { kind: 'accountConfirmed', value: { id, iban, token: account.token, a_type: 'AUTO' } };
    }
    if (list.length === 0) return;
    const pick = () => list[Math.floor(random() * list.length)] as FinalAccount;
    for (let i = 0; i < options.transfers; i++) {
      const id = idFrom(random);
      const amount = BigInt(1 + Math.floor(random() * 20_000));
      const r = random();
      let from: FinalAccount | undefined;
      let to: FinalAccount | undefined;
      let fromName: string;
      let toName: string;
      let token: string;
      if (r < 0.3) {
        to = pick();
        fromName = CASH;
        toName = to.iban;
        token = CASH;
      } else if (r < 0.45) {
        from = pick();
        fromName = from.iban;
        toName = CASH;
        token = from.token;
      } else if (r < 0.8) {
        from = pick();
        to = pick();
        if (to === from) to = accounts.get(COMPANY_IBAN);
        fromName = from.iban;
        toName = (to as FinalAccount).iban;
        token = from.token;
      } else if (r < 0.9) {
        from = pick();
        fromName = from.iban;
        toName = OUTSIDE[Math.floor(random() * OUTSIDE.length)] as string;
        token = from.token;
      } else if (r < 0.95) {
        to = pick();
        fromName = OUTSIDE[Math.floor(random() * OUTSIDE.length)] as string;
        toName = to.iban;
        token = 'irrelevant';
      } else {
        from = pick();
        fromName = from.iban;
        toName = CASH;
        token = 'not the token';
      }
      const description = `synthetic ${i}`;
      yield {
        kind: 'transferCommand',
        value: { id, token, amount, from: fromName, to: toName, description },
      };
      if (from && token !== from.token) {
        yield { kind: 'transferFailed', value: { id, reason: 'invalid token' } };
        continue;
      }
      if (from && from.balance - amount < from.limit) {
        yield { kind: 'transferFailed', value: { id, reason: 'insufficient funds' } };
        continue;
      }
      yield { kind: 'transferConfirmed', value: { id } };
      if (from) {
        from.balance -= amount;
        yield {
          kind: 'balanceChanged',
          value: {
            iban: from.iban,
            new_balance: from.balance,
            changed_by: -amount,
            from_to: toName,
            description,
          },
        };
      }
      if (to) {
        to.balance += amount;
        yield {
          kind: 'balanceChanged',
          value: {
            iban: to.iban,
            new_balance: to.balance,
            changed_by: amount,
            from_to: fromName,
            description,
          },
        };
      }
    }
  }
  return { items: items(), accounts };
}
