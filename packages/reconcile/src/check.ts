import {
  ACCOUNT_LIMIT,
  type AccountCreationConfirmed,
  type AccountCreationFailed,
  type BalanceChanged,
  bytesToUuid,
  CASH,
  COMPANY_IBAN,
  COMPANY_START_BALANCE,
  type ConfirmAccountCreation,
  type ConfirmMoneyTransfer,
  type MoneyTransferFailed,
} from '@open-bank/topology';
import { grown, IdTable } from './id-table.ts';

/**
 * The reconciliation's core: fed decoded records and database rows, it checks the bank's invariants without
 * any I/O, keeping a few bytes per command and per balance_changed offset and a small record per IBAN.
 *
 * Feeding order: `deadLetter` first, then `balanceRow` (balancedb), then commands, then answers, then
 * `balanceChanged` in offset order per partition, then `transactionRow` (transactiondb), then `finish`.
 * Commands come before answers so an answer without a command can be told at once; balancedb comes before
 * the commands because a transfer from or to an IBAN the bank does not hold moves money in or out of it.
 */

export const FindingKind = {
  unanswered: 'command without an answer',
  answerDiffers: 'answers to one command id differ',
  confirmedAndFailed: 'command both confirmed and failed',
  tooManyAnswers: 'more answers than messages carrying the id',
  repeatUnanswered: 'a repeated command message without an answer of its own',
  answerWithoutCommand: 'answer without a command',
  undecodable: 'message that does not decode and is not dead-lettered',
  chainBreak: 'BalanceChanged chain broken (new_balance != previous + changed_by)',
  duplicateEvent: 'BalanceChanged event twice',
  partitionsSplit: "IBAN's BalanceChanged events on more than one partition",
  belowLimit: 'balance below its limit',
  balanceDiffers: 'balancedb balance differs from the replayed one',
  ibanNotInBalancedb: 'BalanceChanged for an IBAN balancedb does not hold',
  accountNotInBalancedb: 'opened account missing from balancedb',
  moneyNotConserved: 'money not conserved',
  transactionMissing: 'BalanceChanged event missing from transactiondb',
  transactionExtra: 'transactiondb row without a BalanceChanged event',
  transactionDiffers: 'transactiondb row differs from its BalanceChanged event',
} as const;
export type FindingKind = keyof typeof FindingKind;
export const findingKinds = Object.keys(FindingKind) as FindingKind[];

export interface Position {
  readonly topic: string;
  readonly partition: number;
  /** As Kafka clients give it: a decimal string. */
  readonly offset: string;
}

export interface TransactionRow {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly iban: string;
  readonly new_balance: bigint;
  readonly changed_by: bigint;
  readonly from_to: string;
  readonly description: string;
}

export interface FindingSummary {
  readonly count: number;
  /** The first few, each naming what and where. */
  readonly examples: readonly string[];
}

export interface Report {
  readonly ok: boolean;
  readonly counts: {
    readonly transfers: number;
    readonly accountCreations: number;
    readonly commandMessages: number;
    readonly answers: number;
    readonly confirmedTransfers: number;
    readonly failedTransfers: number;
    readonly events: number;
    readonly ibansWithEvents: number;
    readonly balanceRows: number;
    readonly transactionRows: number;
  };
  readonly money: {
    readonly sumOfChanges: bigint;
    readonly broughtIn: bigint;
    readonly sentOut: bigint;
  };
  readonly findings: Readonly<Record<FindingKind, FindingSummary>>;
  /** Reported apart: a command set aside on a dead-letter topic has no answer and moved no money. */
  readonly deadLettered: FindingSummary;
}

export interface ReconcilerOptions {
  /** Name of the balance_changed topic, as transactiondb rows name it. */
  readonly balanceChangedTopic: string;
  /** Roughly how many distinct commands to expect, so the id table need not grow. */
  readonly expectedCommands?: number;
  /** How many examples to keep per finding kind. */
  readonly examples?: number;
}

// Per-command flags (one byte).
const KIND_TRANSFER = 1;
const KIND_ACCOUNT = 2;
const KIND_MASK = 3;
const CONFIRMED = 4;
const FAILED = 8;
const DEAD_LETTERED = 16;
const DIFFERS_REPORTED = 32;

// Where a transfer's ends are (two bits each in one byte): money comes in from, or goes out to, anything
// the bank does not hold.
const HELD = 0;
const OUTSIDE = 1;

const MAX_COUNT = 0xffff;

interface IbanState {
  partition: number;
  balance: bigint;
  events: number;
  lastHash: number;
  /** balancedb's row, when it has one. */
  db: { readonly amount: bigint; readonly limit: bigint } | undefined;
}

// Offsets of balance_changed per partition: 0 = no event there (a gap, a transaction marker, an aborted
// record), 1 = an event, 2 = an event transactiondb holds.
interface PartitionEvents {
  base: bigint;
  state: Uint8Array;
  hashes: Uint32Array;
  length: number;
}

export class Reconciler {
  private readonly maxExamples: number;
  private readonly bcTopic: string;
  private readonly findingCounts = new Map<FindingKind, number>();
  private readonly findingExamples = new Map<FindingKind, string[]>();
  private deadCount = 0;
  private readonly deadExamples: string[] = [];
  private readonly deadPositions = new Set<string>();
  private readonly deadIds = new Set<string>();

  private readonly ids: IdTable;
  private flags = new Uint8Array(0);
  private ends = new Uint8Array(0);
  private messages = new Uint16Array(0);
  private answerCounts = new Uint16Array(0);
  private answerHashes = new Uint32Array(0);
  private amounts = new Float64Array(0);
  /** Amounts past 2^53, which a double would round. */
  private readonly bigAmounts = new Map<number, bigint>();

  private readonly ibans = new Map<string, IbanState>();
  private readonly partitions = new Map<number, PartitionEvents>();

  private counts = {
    transfers: 0,
    accountCreations: 0,
    commandMessages: 0,
    answers: 0,
    confirmedTransfers: 0,
    failedTransfers: 0,
    events: 0,
    balanceRows: 0,
    transactionRows: 0,
  };
  private sumOfChanges = 0n;

  constructor(options: ReconcilerOptions) {
    this.maxExamples = options.examples ?? 5;
    this.bcTopic = options.balanceChangedTopic;
    this.ids = new IdTable(options.expectedCommands ?? 1024, (capacity) => {
      this.flags = grown(this.flags, capacity);
      this.ends = grown(this.ends, capacity);
      this.messages = grown(this.messages, capacity);
      this.answerCounts = grown(this.answerCounts, capacity);
      this.answerHashes = grown(this.answerHashes, capacity);
      this.amounts = grown(this.amounts, capacity);
    });
  }

  /** A message on a dead-letter topic: where it came from and, when its value decodes, its command id. */
  deadLetter(source: Position, id: Uint8Array | undefined, error: string): void {
    this.deadPositions.add(positionKey(source));
    if (id) this.deadIds.add(bytesToUuid(Buffer.from(id)));
    this.deadCount++;
    if (this.deadExamples.length < this.maxExamples)
      this.deadExamples.push(
        `${source.topic} ${source.partition}@${source.offset}${id ? ` id ${bytesToUuid(Buffer.from(id))}` : ''}: ${error}`,
      );
  }

  /** A message of a bank topic that did not decode. Dead-lettered ones are expected; others are findings. */
  undecodable(at: Position, error: string): void {
    if (this.deadPositions.has(positionKey(at))) return;
    this.find('undecodable', `${at.topic} ${at.partition}@${at.offset}: ${error}`);
  }

  /** A row of balancedb's balance table. */
  balanceRow(iban: string, amount: bigint, limit: bigint): void {
    this.counts.balanceRows++;
    const state = this.iban(iban);
    state.db = { amount, limit };
    if (amount < limit) this.find('belowLimit', `balancedb ${iban}: ${amount} < limit ${limit}`);
  }

  /** A ConfirmMoneyTransfer message. */
  transferCommand(at: Position, value: ConfirmMoneyTransfer): void {
    const index = this.command(at, value.id, KIND_TRANSFER);
    if (index < 0) return;
    if (this.messages[index] === 1) {
      this.counts.transfers++;
      const amount = value.amount;
      if (amount <= 9007199254740991n && amount >= -9007199254740991n) this.amounts[index] = Number(amount);
      else this.bigAmounts.set(index, amount);
      this.ends[index] = (this.side(value.from) << 2) | this.side(value.to);
    }
  }

  /** A ConfirmAccountCreation message. */
  accountCommand(at: Position, value: ConfirmAccountCreation): void {
    const index = this.command(at, value.id, KIND_ACCOUNT);
    if (index >= 0 && this.messages[index] === 1) this.counts.accountCreations++;
  }

  transferConfirmed(at: Position, value: { id: Buffer }): void {
    this.answer(at, value.id, KIND_TRANSFER, true, 0);
  }

  transferFailed(at: Position, value: MoneyTransferFailed): void {
    this.answer(at, value.id, KIND_TRANSFER, false, fnv(value.reason));
  }

  accountConfirmed(at: Position, value: AccountCreationConfirmed): void {
    const index = this.answer(
      at,
      value.id,
      KIND_ACCOUNT,
      true,
      fnv(`${value.iban}\0${value.token}\0${value.a_type}`),
    );
    if (index >= 0 && this.answerCounts[index] === 1 && !this.ibans.get(value.iban)?.db)
      this.find('accountNotInBalancedb', `${value.iban} opened by ${bytesToUuid(value.id)}`);
  }

  accountFailed(at: Position, value: AccountCreationFailed): void {
    this.answer(at, value.id, KIND_ACCOUNT, false, fnv(value.reason));
  }

  /** A BalanceChanged event, in offset order within its partition. */
  balanceChanged(at: Position, e: BalanceChanged): void {
    this.counts.events++;
    this.sumOfChanges += e.changed_by;
    const h = eventHash(e.iban, e.new_balance, e.changed_by, e.from_to, e.description);
    this.recordOffset(at, h);
    const where = `${e.iban} at ${at.partition}@${at.offset}`;
    const state = this.iban(e.iban);
    if (state.events === 0 && !state.db) this.find('ibanNotInBalancedb', where);
    if (state.partition < 0) state.partition = at.partition;
    else if (state.partition !== at.partition)
      this.find('partitionsSplit', `${where}, earlier events on partition ${state.partition}`);
    const expected = state.balance + e.changed_by;
    if (e.new_balance !== expected) {
      if (state.events > 0 && h === state.lastHash)
        this.find('duplicateEvent', `${where}: the previous event again`);
      else
        this.find(
          'chainBreak',
          `${where}: new_balance ${e.new_balance} != ${state.balance} + ${e.changed_by} (event ${state.events + 1})`,
        );
    }
    const limit = state.db?.limit ?? ACCOUNT_LIMIT;
    if (e.new_balance < limit) this.find('belowLimit', `${where}: ${e.new_balance} < limit ${limit}`);
    // Carry on from what the event says, so one break is reported once and not at every later event.
    state.balance = e.new_balance;
    state.lastHash = h;
    state.events++;
  }

  /** A row of transactiondb's transaction table. */
  transactionRow(row: TransactionRow): void {
    this.counts.transactionRows++;
    const where = `${row.topic} ${row.partition}@${row.offset} (${row.iban})`;
    const p = row.topic === this.bcTopic ? this.partitions.get(row.partition) : undefined;
    const i = p ? Number(BigInt(row.offset) - p.base) : -1;
    if (!p || i < 0 || i >= p.length || p.state[i] === 0) {
      this.find('transactionExtra', where);
      return;
    }
    if (p.state[i] === 2) {
      this.find('transactionExtra', `${where}: a second row for one event`);
      return;
    }
    p.state[i] = 2;
    if (p.hashes[i] !== eventHash(row.iban, row.new_balance, row.changed_by, row.from_to, row.description))
      this.find('transactionDiffers', where);
  }

  finish(): Report {
    let broughtIn = 0n;
    let sentOut = 0n;
    for (let index = 0; index < this.ids.size; index++) {
      const flags = this.flags[index] as number;
      const kind = flags & KIND_MASK;
      const messages = this.messages[index] as number;
      const answers = this.answerCounts[index] as number;
      if (messages === 0) continue;
      if (answers === 0) {
        if (flags & DEAD_LETTERED) continue;
        this.find(
          'unanswered',
          `${kind === KIND_TRANSFER ? 'transfer' : 'account creation'} ${this.uuidAt(index)}`,
        );
        continue;
      }
      if (answers > messages)
        this.find('tooManyAnswers', `${this.uuidAt(index)}: ${answers} answers to ${messages} messages`);
      // Every message is answered, a repeated id again (with the same answer).
      else if (answers < messages && !(flags & DEAD_LETTERED))
        this.find('repeatUnanswered', `${this.uuidAt(index)}: ${answers} answers to ${messages} messages`);
      if (kind === KIND_TRANSFER && flags & CONFIRMED && !(flags & FAILED)) {
        this.counts.confirmedTransfers++;
        const amount = this.bigAmounts.get(index) ?? BigInt(this.amounts[index] as number);
        const ends = this.ends[index] as number;
        if (ends >> 2 !== HELD) broughtIn += amount;
        if ((ends & 3) !== HELD) sentOut += amount;
      } else if (kind === KIND_TRANSFER && flags & FAILED) this.counts.failedTransfers++;
    }
    if (this.sumOfChanges !== broughtIn - sentOut)
      this.find(
        'moneyNotConserved',
        `the changes sum to ${this.sumOfChanges}, confirmed transfers brought in ${broughtIn} and sent out ${sentOut} (difference ${this.sumOfChanges - (broughtIn - sentOut)})`,
      );

    let withEvents = 0;
    for (const [iban, s] of this.ibans) {
      if (s.events > 0) withEvents++;
      if (!s.db) continue;
      if (s.balance !== s.db.amount)
        this.find(
          'balanceDiffers',
          `${iban}: balancedb ${s.db.amount}, replayed ${s.balance} after ${s.events} events`,
        );
    }
    for (const [partition, p] of this.partitions) {
      for (let i = 0; i < p.length; i++)
        if (p.state[i] === 1)
          this.find('transactionMissing', `${this.bcTopic} ${partition}@${p.base + BigInt(i)}`);
    }

    const findings = {} as Record<FindingKind, FindingSummary>;
    let ok = true;
    for (const kind of findingKinds) {
      const count = this.findingCounts.get(kind) ?? 0;
      if (count > 0) ok = false;
      findings[kind] = { count, examples: this.findingExamples.get(kind) ?? [] };
    }
    return {
      ok,
      counts: { ...this.counts, ibansWithEvents: withEvents },
      money: { sumOfChanges: this.sumOfChanges, broughtIn, sentOut },
      findings,
      deadLettered: { count: this.deadCount, examples: [...this.deadExamples] },
    };
  }

  private command(at: Position, id: Buffer, kind: number): number {
    this.counts.commandMessages++;
    const { index } = this.ids.upsert(id);
    if (index < 0) {
      this.find('undecodable', `${at.topic} ${at.partition}@${at.offset}: id of ${id.length} bytes`);
      return -1;
    }
    this.flags[index] = ((this.flags[index] as number) & ~KIND_MASK) | kind;
    this.messages[index] = Math.min(MAX_COUNT, (this.messages[index] as number) + 1);
    if (this.deadPositions.has(positionKey(at)) || this.deadIds.has(bytesToUuid(id)))
      this.flags[index] = (this.flags[index] as number) | DEAD_LETTERED;
    return index;
  }

  private answer(at: Position, id: Buffer, kind: number, confirmed: boolean, fingerprint: number): number {
    this.counts.answers++;
    const index = this.ids.find(id);
    const flags = index < 0 ? 0 : (this.flags[index] as number);
    if (index < 0 || (flags & KIND_MASK) !== kind) {
      this.find('answerWithoutCommand', `${at.topic} ${at.partition}@${at.offset} id ${uuidOrHex(id)}`);
      return -1;
    }
    const outcome = confirmed ? CONFIRMED : FAILED;
    const answers = this.answerCounts[index] as number;
    this.answerCounts[index] = Math.min(MAX_COUNT, answers + 1);
    if (answers === 0) {
      this.answerHashes[index] = fingerprint;
      this.flags[index] = flags | outcome;
      return index;
    }
    if ((flags & (CONFIRMED | FAILED)) !== outcome) {
      if (!(flags & DIFFERS_REPORTED))
        this.find(
          'confirmedAndFailed',
          `${bytesToUuid(id)}: answered again at ${at.topic} ${at.partition}@${at.offset}`,
        );
      this.flags[index] = flags | outcome | DIFFERS_REPORTED;
    } else if (this.answerHashes[index] !== fingerprint && !(flags & DIFFERS_REPORTED)) {
      this.find(
        'answerDiffers',
        `${bytesToUuid(id)}: answered differently at ${at.topic} ${at.partition}@${at.offset}`,
      );
      this.flags[index] = flags | DIFFERS_REPORTED;
    }
    return index;
  }

  private side(account: string): number {
    return account !== CASH && this.ibans.get(account)?.db ? HELD : OUTSIDE;
  }

  private iban(iban: string): IbanState {
    let state = this.ibans.get(iban);
    if (!state) {
      state = {
        partition: -1,
        balance: iban === COMPANY_IBAN ? COMPANY_START_BALANCE : 0n,
        events: 0,
        lastHash: 0,
        db: undefined,
      };
      this.ibans.set(iban, state);
    }
    return state;
  }

  private recordOffset(at: Position, h: number): void {
    const offset = BigInt(at.offset);
    let p = this.partitions.get(at.partition);
    if (!p) {
      p = { base: offset, state: new Uint8Array(1024), hashes: new Uint32Array(1024), length: 0 };
      this.partitions.set(at.partition, p);
    }
    const i = Number(offset - p.base);
    if (i < 0) return;
    if (i >= p.state.length) {
      const size = Math.max(i + 1, Math.ceil(p.state.length * 1.5));
      p.state = grown(p.state, size);
      p.hashes = grown(p.hashes, size);
    }
    p.state[i] = 1;
    p.hashes[i] = h;
    p.length = Math.max(p.length, i + 1);
  }

  private uuidAt(index: number): string {
    return bytesToUuid(Buffer.from(this.ids.idAt(index)));
  }

  private find(kind: FindingKind, example: string): void {
    this.findingCounts.set(kind, (this.findingCounts.get(kind) ?? 0) + 1);
    let examples = this.findingExamples.get(kind);
    if (!examples) {
      examples = [];
      this.findingExamples.set(kind, examples);
    }
    if (examples.length < this.maxExamples) examples.push(example);
  }
}

function positionKey(p: Position): string {
  return `${p.topic}\0${p.partition}\0${p.offset}`;
}

function uuidOrHex(id: Buffer): string {
  return id.length === 16 ? bytesToUuid(id) : id.toString('hex');
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a fingerprint, compared only with fingerprints. */
export function fnv(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function eventHash(
  iban: string,
  newBalance: bigint,
  changedBy: bigint,
  fromTo: string,
  description: string,
): number {
  return fnv(`${iban}\0${newBalance}\0${changedBy}\0${fromTo}\0${description}`);
}
