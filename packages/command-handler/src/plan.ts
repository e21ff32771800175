import type {
  Atype,
  BalanceChanged,
  ConfirmAccountCreation,
  ConfirmMoneyTransfer,
} from '@open-bank/topology';
import { bytesToUuid } from '@open-bank/topology';
import {
  type Account,
  type AccountCreationOutcome,
  type AccountGenerators,
  decideAccountCreation,
  decideTransfers,
  isBankIbanCached,
  settleAccountCreations,
} from './decide.ts';

/**
 * What to do with one batch of commands, given what balancedb already holds: pure, so every case of
 * repeats and re-deliveries is unit-tested. The database layer runs it inside the batch's transaction.
 */

export interface CommandMessage<T> {
  readonly partition: number;
  readonly offset: string;
  readonly value: T;
}

/** The answer to one transfer command, as kept in transfer_command. */
export interface TransferAnswer {
  /** Null when the transfer was confirmed. */
  readonly reason: string | null;
  readonly events: readonly BalanceChanged[];
}

export interface StoredTransfer extends TransferAnswer {
  /** Where the command that decided it was read, so a re-delivery of that message is told from a repeat. */
  readonly partition: number;
  readonly offset: string;
}

export interface NewTransferRow extends StoredTransfer {
  readonly id: string;
}

/** One reply per message: the answer, plus the events when they are to be published now. */
export interface TransferReply {
  readonly id: Buffer;
  readonly reason: string | null;
  readonly events: readonly BalanceChanged[];
}

export interface TransferPlan {
  readonly rows: NewTransferRow[];
  /** Net balance change per IBAN, for the atomic relative update. */
  readonly deltas: Map<string, bigint>;
  readonly replies: TransferReply[];
}

/** The command id of each message, as a UUID string. */
export function messageIds(messages: readonly CommandMessage<{ id: Buffer }>[]): string[] {
  return messages.map((m) => bytesToUuid(m.value.id));
}

/** Distinct command ids of the batch, as UUID strings. */
export function commandIds(messages: readonly CommandMessage<{ id: Buffer }>[]): string[] {
  return [...new Set(messageIds(messages))];
}

/**
 * Every IBAN a batch of transfers may touch, sorted so all instances lock in one order. Only strings that can
 * be accounts of this bank are looked up: nothing else can be known, and it keeps odd input (say a NUL
 * character) away from the database.
 */
export function touchedIbans(messages: readonly CommandMessage<ConfirmMoneyTransfer>[]): string[] {
  const ibans = new Set<string>();
  for (const { value } of messages) {
    if (isBankIbanCached(value.from)) ibans.add(value.from);
    if (isBankIbanCached(value.to)) ibans.add(value.to);
  }
  return [...ibans].sort();
}

/**
 * Decides the new commands of a batch in order and answers every message:
 * - a command seen before answers as it did then; its events go out again only when this is the very
 *   message that decided it (same partition and offset: the database committed but the answer was never
 *   published) and a recovery has not already published them;
 * - a repeat (another message with a known id, or a second occurrence in the batch) gets the answer only,
 *   since its events are already on their way and must not be doubled.
 */
export function planTransfers(
  messages: readonly CommandMessage<ConfirmMoneyTransfer>[],
  seen: ReadonlyMap<string, StoredTransfer>,
  accounts: ReadonlyMap<string, Account>,
  recovered: ReadonlySet<string> = new Set(),
  ids: readonly string[] = messageIds(messages),
): TransferPlan {
  const fresh: { id: string; message: CommandMessage<ConfirmMoneyTransfer> }[] = [];
  const firstInBatch = new Set<string>();
  for (const [i, m] of messages.entries()) {
    const id = ids[i] as string;
    if (seen.has(id) || firstInBatch.has(id)) continue;
    firstInBatch.add(id);
    fresh.push({ id, message: m });
  }

  const { outcomes, deltas } = decideTransfers(
    accounts,
    fresh.map((f) => f.message.value),
  );
  const decided = new Map<string, NewTransferRow>();
  const rows = fresh.map(({ id, message }, i): NewTransferRow => {
    const o = outcomes[i];
    if (!o) throw new Error('decideTransfers returned fewer outcomes than transfers');
    const row: NewTransferRow = {
      id,
      reason: o.ok ? null : o.reason,
      events: o.ok ? o.events : [],
      partition: message.partition,
      offset: message.offset,
    };
    decided.set(id, row);
    return row;
  });

  const replies = messages.map((m, i): TransferReply => {
    const id = ids[i] as string;
    const stored = seen.get(id) ?? decided.get(id);
    if (!stored) throw new Error(`no answer for command ${id}`);
    const decidedHere = stored.partition === m.partition && stored.offset === m.offset;
    const withEvents = decidedHere && !(seen.has(id) && recovered.has(id));
    return { id: m.value.id, reason: stored.reason, events: withEvents ? stored.events : [] };
  });
  return { rows, deltas, replies };
}

/** The answer to one account creation command, as kept in account_command. */
export type StoredAccountCreation =
  | { readonly ok: true; readonly iban: string; readonly token: string; readonly a_type: Atype }
  | { readonly ok: false; readonly reason: string };

export interface AccountProposal {
  /** First occurrence of each new id, in batch order, with the account it would open. */
  readonly fresh: { readonly id: string; readonly outcome: AccountCreationOutcome }[];
}

export function proposeAccounts(
  messages: readonly CommandMessage<ConfirmAccountCreation>[],
  seen: ReadonlyMap<string, StoredAccountCreation>,
  generate: AccountGenerators,
): AccountProposal {
  const ids = new Set<string>();
  const commands: { id: string; a_type: Atype }[] = [];
  for (const m of messages) {
    const id = bytesToUuid(m.value.id);
    if (seen.has(id) || ids.has(id)) continue;
    ids.add(id);
    commands.push({ id, a_type: m.value.a_type });
  }
  const outcomes = decideAccountCreation(commands, generate);
  return {
    fresh: commands.map((c, i) => ({ id: c.id, outcome: outcomes[i] as AccountCreationOutcome })),
  };
}

export interface AccountReply {
  readonly id: Buffer;
  readonly answer: StoredAccountCreation;
}

/** Settles the proposal with the IBANs balancedb accepted; returns the rows to store and a reply per message. */
export function settleAccounts(
  messages: readonly CommandMessage<ConfirmAccountCreation>[],
  seen: ReadonlyMap<string, StoredAccountCreation>,
  proposal: AccountProposal,
  inserted: ReadonlySet<string>,
): { rows: { id: string; answer: StoredAccountCreation }[]; replies: AccountReply[] } {
  const settled = settleAccountCreations(
    proposal.fresh.map((f) => f.outcome),
    inserted,
  );
  const decided = new Map<string, StoredAccountCreation>();
  const rows = proposal.fresh.map((f, i) => {
    const answer = settled[i] as AccountCreationOutcome;
    decided.set(f.id, answer);
    return { id: f.id, answer };
  });
  const replies = messages.map((m) => {
    const id = bytesToUuid(m.value.id);
    const answer = seen.get(id) ?? decided.get(id);
    if (!answer) throw new Error(`no answer for account command ${id}`);
    return { id: m.value.id, answer };
  });
  return { rows, replies };
}
