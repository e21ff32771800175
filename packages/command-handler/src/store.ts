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
import { PublishOrder, type Ticket } from './publish-order.ts';
import { eventsFromJson, eventsToJson } from './stored.ts';

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

// One round trip stores the new commands with their answers, applies the net change per account as a
// relative update of the locked rows, and notes the batch for crash recovery when it produced events.
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
), noted AS (
  INSERT INTO handled_batch (instance, src_topic, src_partition, last_offset, command_ids)
  SELECT $4::text, $5::text, $6::int, $7::bigint, string_to_array($8::text, ',')::uuid[] WHERE $8::text <> ''
)
SELECT 1`;

const READ_ACCOUNT_COMMANDS = `
SELECT id::text AS id, iban, token, a_type, reason FROM account_command WHERE id = ANY($1::uuid[])`;

const OPEN_ACCOUNTS = `
INSERT INTO balance (iban, token, amount, lmt)
SELECT iban, token, $3::bigint, $4::bigint FROM unnest($1::text[], $2::text[]) AS a(iban, token)
ON CONFLICT (iban) DO NOTHING
RETURNING iban`;

const WRITE_ACCOUNT_COMMANDS = `
INSERT INTO account_command (id, iban, token, a_type, reason)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])`;

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

export interface StoreOptions {
  /** Names this instance in handled_batch, so a restart recovers only what it left unpublished itself. */
  readonly instance: string;
  /** Name of the transfer command topic, which handled_batch offsets belong to. */
  readonly transferTopic: string;
  readonly onRetry?: (sqlState: string) => void;
}

/** balancedb as the command handler uses it: one transaction per batch. */
export class CommandStore {
  private readonly order = new PublishOrder();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: StoreOptions,
  ) {}

  /**
   * Decides and stores a partition's batch of transfers in one transaction and returns a reply per message.
   * `recovered` holds ids whose events a recovery at start already published.
   */
  async handleTransfers(
    messages: readonly CommandMessage<ConfirmMoneyTransfer>[],
    recovered: ReadonlySet<string>,
  ): Promise<TransferReply[]> {
    if (messages.length === 0) return [];
    // Ids and IBANs (of this bank: letters and digits only) go as comma-separated text, which costs less
    // to build and send than arrays node-postgres escapes element by element.
    const ids = messageIds(messages);
    const distinctIds = [...new Set(ids)].join(',');
    const ibans = touchedIbans(messages).join(',');
    const partition = (messages[0] as CommandMessage<unknown>).partition;
    let lastOffset = 0n;
    for (const m of messages) if (BigInt(m.offset) > lastOffset) lastOffset = BigInt(m.offset);

    // One ticket per attempt; only the attempt that committed keeps its place until its batch is handed on.
    const tickets: Ticket[] = [];
    try {
      const replies = await inTransaction(
        this.pool,
        async (client) => {
          const state = await client.query<TransferStateRow>(READ_TRANSFER_STATE, [distinctIds, ibans]);
          const seen = new Map<string, StoredTransfer>();
          const accounts = new Map<string, Account>();
          const versions = new Map<string, bigint>();
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
              versions.set(r.iban, r.version ?? 0n);
            }
          }
          tickets.push(this.order.enter(versions));

          const plan = planTransfers(messages, seen, accounts, recovered, ids);
          if (plan.rows.length > 0) {
            const withEvents = plan.rows
              .filter((r) => r.events.length > 0)
              .map((r) => r.id)
              .join(',');
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
              this.options.instance,
              this.options.transferTopic,
              partition,
              lastOffset.toString(),
              withEvents,
            ]);
          }
          return plan.replies;
        },
        {
          onRetry: this.options.onRetry,
          onRollback: () => {
            for (const t of tickets.splice(0)) this.order.leave(t);
          },
        },
      );
      const committed = tickets[0];
      if (committed) await this.order.predecessors(committed);
      return replies;
    } finally {
      for (const t of tickets) this.order.leave(t);
    }
  }

  /** Opens accounts for a batch of creation commands in one transaction; returns a reply per message. */
  async handleAccounts(
    messages: readonly CommandMessage<ConfirmAccountCreation>[],
    generate: AccountGenerators,
  ): Promise<AccountReply[]> {
    if (messages.length === 0) return [];
    const ids = commandIds(messages);
    return inTransaction(
      this.pool,
      async (client) => {
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
        const proposal = proposeAccounts(messages, seen, generate);
        if (proposal.fresh.length === 0) return settleAccounts(messages, seen, proposal, new Set()).replies;

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
        const { rows, replies } = settleAccounts(messages, seen, proposal, inserted);
        await client.query(WRITE_ACCOUNT_COMMANDS, [
          rows.map((r) => r.id),
          rows.map((r) => (r.answer.ok ? r.answer.iban : null)),
          rows.map((r) => (r.answer.ok ? r.answer.token : null)),
          rows.map((r) => (r.answer.ok ? r.answer.a_type : null)),
          rows.map((r) => (r.answer.ok ? null : r.answer.reason)),
        ]);
        return replies;
      },
      { onRetry: this.options.onRetry },
    );
  }
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
