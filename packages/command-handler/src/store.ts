import { TRACE_HEADER } from '@open-bank/contract';
import { extendTrace, nowMicros, type Outgoing } from '@open-bank/runtime';
import type { Atype, ConfirmAccountCreation, ConfirmMoneyTransfer } from '@open-bank/topology';
import type pg from 'pg';
import { inTransaction } from './db.ts';
import { type Account, type AccountGenerators, NEW_ACCOUNT } from './decide.ts';
import { StoredAnswerError } from './errors.ts';
import {
  type AccountReply,
  type CommandMessage,
  commandIds,
  messageIds,
  planTransfers,
  proposeAccounts,
  type StoredAccountCreation,
  type StoredTransfer,
  settleAccounts,
  type TransferReply,
  touchedIbans,
} from './plan.ts';
import { eventsFromJson, eventsToJson } from './stored.ts';

/** The channel a committed batch with outbox rows notifies, so the relay wakes without polling. */
export const OUTBOX_CHANNEL = 'open_bank_outbox';

// Shared tail of the write statements: $4.. are the outbox rows (topics, keys, values, traces) and the
// consumed positions ($8 topic, $9 partitions, $10 their next offsets).
const OUTBOX_CTES = `outboxed AS (
  INSERT INTO outbox (topic, key, value, trace)
  SELECT t, k, v, tr FROM unnest($4::text[], $5::text[], $6::bytea[], $7::text[]) WITH ORDINALITY AS o(t, k, v, tr, n)
   ORDER BY n
), moved AS (
  UPDATE consumed c SET next_offset = u.next_offset
    FROM unnest($9::int[], $10::bigint[]) AS u(partition, next_offset)
   WHERE c.topic = $8 AND c.partition = u.partition
)`;

// The relay listens on this channel; NOTIFY is delivered when (and only if) the transaction commits.
const WAKE_RELAY = `SELECT CASE WHEN cardinality($4::text[]) > 0 THEN pg_notify('${OUTBOX_CHANNEL}', '') END`;

// One round trip reads the batch's known commands and locks every account it may touch, in IBAN order
// so that concurrent batches (other partitions, other instances) cannot deadlock on each other.
const READ_TRANSFER_STATE = `
WITH seen AS MATERIALIZED (
  SELECT id, reason, events, src_partition, src_offset FROM transfer_command
   WHERE id = ANY(string_to_array($1::text, ',')::uuid[])
), locked AS MATERIALIZED (
  SELECT iban, token, amount, lmt, version FROM balance
   WHERE iban = ANY(string_to_array($2::text, ',')) ORDER BY iban FOR UPDATE
)
SELECT id::text AS id, reason, events, src_partition, src_offset,
       NULL::text AS iban, NULL::text AS token, NULL::bigint AS amount, NULL::bigint AS lmt, NULL::bigint AS version
  FROM seen
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, iban, token, amount, lmt, version FROM locked`;

// Takes the consumed position of each partition in the transaction and locks it: a batch handles only what
// lies at or past it, so a re-delivered message is skipped and two instances that both think they own a
// partition (one of them a zombie of a rebalance) take turns on this row, the second finding the work done.
// The first batch ever seen of a partition starts the position at its own first offset. Rows are taken in
// partition order (the caller sorts), before any balance row, so transactions holding several cannot
// deadlock on each other.
const TAKE_POSITIONS = `
INSERT INTO consumed (topic, partition, next_offset)
SELECT $1, p, o FROM unnest($2::int[], $3::bigint[]) WITH ORDINALITY AS u(p, o, n) ORDER BY n
ON CONFLICT (topic, partition) DO UPDATE SET next_offset = consumed.next_offset
RETURNING partition, next_offset`;

// One round trip stores the new commands with their answers, applies the net change per account as a
// relative update of the locked rows, writes what to publish to the outbox (in order: seq follows the array),
// moves the consumed position past the batch and wakes the relay once this commits.
// The new commands travel as one JSON document: cheaper to build and to send than parallel arrays, whose
// elements node-postgres would escape one by one. Each command's events ride in it as JSON text, and are
// cast to json only then: extracting them as a json value would decode escapes, and PostgreSQL refuses
// \u0000 there.
const WRITE_TRANSFERS = `
WITH new_commands AS (
  INSERT INTO transfer_command (id, reason, events, src_partition, src_offset)
  SELECT id, reason, events::json, p, o
    FROM json_to_recordset($1::json) AS r(id uuid, reason text, events text, p int, o bigint)
), changed AS (
  UPDATE balance b SET amount = b.amount + d.delta, version = b.version + 1
    FROM unnest($2::text[], $3::bigint[]) AS d(iban, delta)
   WHERE b.iban = d.iban
), ${OUTBOX_CTES}
${WAKE_RELAY}`;

const READ_ACCOUNT_COMMANDS = `
SELECT id::text AS id, iban, token, a_type, reason FROM account_command WHERE id = ANY($1::uuid[])`;

const OPEN_ACCOUNTS = `
INSERT INTO balance (iban, token, amount, lmt)
SELECT iban, token, $3::bigint, $4::bigint FROM unnest($1::text[], $2::text[]) AS a(iban, token)
ON CONFLICT (iban) DO NOTHING
RETURNING iban`;

const WRITE_ACCOUNT_COMMANDS = `
WITH new_commands AS (
  INSERT INTO account_command (id, iban, token, a_type, reason)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $11::text[], $12::text[])
), ${OUTBOX_CTES}
${WAKE_RELAY}`;

interface TransferStateRow {
  id: string | null;
  reason: string | null;
  events: unknown;
  src_partition: number | null;
  src_offset: bigint | null;
  iban: string | null;
  token: string | null;
  amount: bigint | null;
  lmt: bigint | null;
  version: bigint | null;
}

/** A command message as the consumer loop hands it on, with its trace. */
export type TracedMessage<T> = CommandMessage<T> & {
  readonly trace?: string | undefined;
  readonly fetchedAt?: number;
};

/** Turns the batch's replies into the records to publish; `traceOf(i)` is the trace of reply i's command. */
export interface ReplyEncoder {
  transfers(replies: readonly TransferReply[], traceOf: (i: number) => string | undefined): Outgoing[];
  accounts(replies: readonly AccountReply[], traceOf: (i: number) => string | undefined): Outgoing[];
}

export interface StoreOptions {
  /** Name of the topic each handled batch came from, which consumed positions belong to. */
  readonly encoder: ReplyEncoder;
  readonly onRetry?: (sqlState: string) => void;
}

/** The consumed positions a transaction moves: per partition, the offset after its batch. */
interface Positions {
  readonly partitions: number[];
  readonly next: string[];
}

/**
 * balancedb as the command handler uses it: one transaction per call, for one or more partitions' batches of
 * one topic, which also writes everything they publish to the outbox and moves each partition's consumed
 * position.
 */
export class CommandStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: StoreOptions,
  ) {}

  /**
   * Decides and stores batches of transfers, each of another partition, in one transaction; returns per
   * batch a reply per message it handled. Messages of different partitions have no order among them, so they
   * are decided batch after batch, each in offset order.
   */
  async handleTransfers(
    topic: string,
    batches: readonly (readonly TracedMessage<ConfirmMoneyTransfer>[])[],
  ): Promise<TransferReply[][]> {
    return this.fenced(topic, batches, async (client, freshBatches, positions) => {
      const fresh = freshBatches.flat();
      // Ids and IBANs (of this bank: letters and digits only) go as comma-separated text, which costs
      // less to build and send than arrays node-postgres escapes element by element.
      const ids = messageIds(fresh);
      const distinctIds = [...new Set(ids)].join(',');
      const ibans = touchedIbans(fresh).join(',');
      const state = await client.query<TransferStateRow>(READ_TRANSFER_STATE, [distinctIds, ibans]);
      const seen = new Map<string, StoredTransfer>();
      const accounts = new Map<string, Account>();
      for (const r of state.rows) {
        if (r.id !== null) {
          seen.set(r.id, {
            reason: r.reason,
            events: eventsFromJson(r.events),
            partition: r.src_partition ?? -1,
            offset: String(r.src_offset),
          });
        } else if (r.iban !== null && r.token !== null && r.amount !== null && r.lmt !== null) {
          accounts.set(r.iban, { token: r.token, balance: r.amount, limit: r.lmt });
        }
      }
      const plan = planTransfers(fresh, seen, accounts, new Set(), ids);
      const written = nowMicros();
      const outputs = this.options.encoder.transfers(plan.replies, (i) => traceOf(fresh[i], written));
      const rows = JSON.stringify(
        plan.rows.map((r) => ({
          id: r.id,
          reason: r.reason ?? undefined,
          events: r.events.length > 0 ? eventsToJson(r.events) : undefined,
          p: r.partition,
          o: r.offset,
        })),
      );
      await client.query(WRITE_TRANSFERS, [
        rows,
        [...plan.deltas.keys()],
        [...plan.deltas.values()].map(String),
        ...outboxParams(outputs),
        topic,
        positions.partitions,
        positions.next,
      ]);
      return splitLike(plan.replies, freshBatches);
    });
  }

  /** Opens accounts for a batch of creation commands in one transaction; returns a reply per message handled. */
  async handleAccounts(
    topic: string,
    messages: readonly TracedMessage<ConfirmAccountCreation>[],
    generate: AccountGenerators,
  ): Promise<AccountReply[]> {
    const [replies = []] = await this.fenced(topic, [messages], async (client, [fresh = []], positions) => {
      const ids = commandIds(fresh);
      const known = await client.query<{
        id: string;
        iban: string | null;
        token: string | null;
        a_type: string | null;
        reason: string | null;
      }>(READ_ACCOUNT_COMMANDS, [ids]);
      const seen = new Map<string, StoredAccountCreation>(
        known.rows.map((r) => [r.id, storedAccount(r.iban, r.token, r.a_type, r.reason)]),
      );
      const proposal = proposeAccounts(fresh, seen, generate);
      const opening = proposal.fresh.flatMap((f) => (f.outcome.ok ? [f.outcome] : []));
      let inserted = new Set<string>();
      if (opening.length > 0) {
        const opened = await client.query<{ iban: string }>(OPEN_ACCOUNTS, [
          opening.map((o) => o.iban),
          opening.map((o) => o.token),
          NEW_ACCOUNT.balance.toString(),
          NEW_ACCOUNT.limit.toString(),
        ]);
        inserted = new Set(opened.rows.map((r) => r.iban));
      }
      const { rows, replies } = settleAccounts(fresh, seen, proposal, inserted);
      const written = nowMicros();
      const outputs = this.options.encoder.accounts(replies, (i) => traceOf(fresh[i], written));
      await client.query(WRITE_ACCOUNT_COMMANDS, [
        rows.map((r) => r.id),
        rows.map((r) => (r.answer.ok ? r.answer.iban : null)),
        rows.map((r) => (r.answer.ok ? r.answer.token : null)),
        ...outboxParams(outputs),
        topic,
        positions.partitions,
        positions.next,
        rows.map((r) => (r.answer.ok ? r.answer.a_type : null)),
        rows.map((r) => (r.answer.ok ? null : r.answer.reason)),
      ]);
      return [replies];
    });
    return replies;
  }

  /**
   * One balancedb transaction for batches of one topic, each of another partition: takes their consumed
   * positions first, then runs `work` on the messages at or past them (none: nothing to do, a redelivery
   * this instance or another handled). `work` answers per batch, in the order given.
   */
  private async fenced<T, R>(
    topic: string,
    batches: readonly (readonly TracedMessage<T>[])[],
    work: (client: pg.PoolClient, fresh: TracedMessage<T>[][], positions: Positions) => Promise<R[][]>,
  ): Promise<R[][]> {
    const given = batches.filter((b) => b.length > 0);
    if (given.length === 0) return batches.map(() => []);
    const done = await inTransaction(
      this.pool,
      async (client) => {
        const { fresh, positions } = await fence(client, topic, given);
        return fresh.every((f) => f.length === 0) ? given.map(() => []) : work(client, fresh, positions);
      },
      { onRetry: this.options.onRetry },
    );
    let i = 0;
    return batches.map((b) => (b.length > 0 ? (done[i++] ?? []) : []));
  }
}

/** Takes the consumed positions of the batches' partitions (see TAKE_POSITIONS) and drops what lies below. */
async function fence<T>(
  client: pg.PoolClient,
  topic: string,
  batches: readonly (readonly TracedMessage<T>[])[],
): Promise<{ fresh: TracedMessage<T>[][]; positions: Positions }> {
  const spans = batches.map((messages) => {
    const first = messages[0] as TracedMessage<T>;
    let last = BigInt(first.offset);
    for (const m of messages) if (BigInt(m.offset) > last) last = BigInt(m.offset);
    return { partition: first.partition, first: first.offset, last };
  });
  const order = spans
    .map((_, i) => i)
    .sort((a, b) => (spans[a]?.partition ?? 0) - (spans[b]?.partition ?? 0));
  const r = await client.query<{ partition: number; next_offset: bigint }>(TAKE_POSITIONS, [
    topic,
    order.map((i) => spans[i]?.partition),
    order.map((i) => spans[i]?.first),
  ]);
  const position = new Map(r.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
  const fresh = batches.map((messages, i) => {
    const at = position.get(spans[i]?.partition ?? -1) ?? 0n;
    return messages.filter((m) => BigInt(m.offset) >= at);
  });
  const positions: Positions = { partitions: [], next: [] };
  for (const s of spans) {
    const at = position.get(s.partition) ?? 0n;
    positions.partitions.push(s.partition);
    positions.next.push((s.last + 1n > at ? s.last + 1n : at).toString());
  }
  return { fresh, positions };
}

/** `flat`, cut into pieces as long as the parts of `like`. */
function splitLike<A, B>(flat: readonly A[], like: readonly (readonly B[])[]): A[][] {
  let at = 0;
  return like.map((part) => {
    const piece = flat.slice(at, at + part.length);
    at += part.length;
    return piece;
  });
}

/** The trace a command's outputs carry: its own, extended by the fetch and the outbox write checkpoints. */
function traceOf(m: TracedMessage<unknown> | undefined, written: number): string | undefined {
  if (!m?.trace || m.fetchedAt === undefined) return undefined;
  return extendTrace(m.trace, m.fetchedAt, written);
}

function outboxParams(
  outputs: readonly Outgoing[],
): [string[], (string | null)[], Buffer[], (string | null)[]] {
  return [
    outputs.map((o) => o.topic),
    outputs.map((o) => o.key),
    outputs.map((o) => {
      if (!o.value) throw new StoredAnswerError(`an output to ${o.topic} has no value`);
      return o.value;
    }),
    outputs.map((o) => o.headers?.[TRACE_HEADER] ?? null),
  ];
}

function storedAccount(
  iban: string | null,
  token: string | null,
  aType: string | null,
  reason: string | null,
): StoredAccountCreation {
  if (reason !== null) return { ok: false, reason };
  if (iban === null || token === null || (aType !== 'AUTO' && aType !== 'MANUAL'))
    throw new StoredAnswerError(`account_command row without reason lacks iban, token or a valid a_type`);
  return { ok: true, iban, token, a_type: aType as Atype };
}
