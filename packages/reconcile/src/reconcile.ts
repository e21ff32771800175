import {
  Codec,
  createKafka,
  createRegistry,
  DeadLetterHeader,
  type TopicId,
  type Topology,
  topologyOf,
} from '@open-bank/topology';
import type { Admin, IHeaders, KafkaMessage } from 'kafkajs';
import { type Position, Reconciler, type Report, type TransactionRow } from './check.ts';
import { BALANCE_DB, type ReconcileConfig, TRANSACTION_DB } from './config.ts';
import { groupPositions, lagging, snapshotKey, type Watched } from './consistent.ts';
import { connectDb, consumedPositions, type DbTarget, outboxRows, streamRows } from './db.ts';
import { NotConsistentError } from './errors.ts';
import { captureEnds, readTopics, spanOf, type TopicRanges } from './read-topics.ts';

/** The bank's topics the reconciliation reads, by role. */
export const COMMAND_TOPICS = ['confirmAccountCreation', 'confirmMoneyTransfer'] as const satisfies TopicId[];
export const ANSWER_TOPICS = [
  'accountCreationConfirmed',
  'accountCreationFailed',
  'moneyTransferConfirmed',
  'moneyTransferFailed',
] as const satisfies TopicId[];
const HISTORY_TOPICS: readonly TopicId[] = [...COMMAND_TOPICS, ...ANSWER_TOPICS, 'balanceChanged'];

export interface ReconcileOptions {
  /** Wait until the services have consumed everything (default); false compares whatever is there now. */
  readonly wait?: boolean;
  readonly log?: (line: string) => void;
}

export interface ReconcileResult {
  readonly report: Report;
  readonly seconds: number;
  /** Peak resident memory of this process, MiB. */
  readonly peakRssMiB: number;
  readonly messages: number;
}

export function dbTarget(config: ReconcileConfig, db: { database: string; user: string }): DbTarget {
  return {
    host: config.dbHostname,
    port: config.dbPort,
    password: config.dbPassword,
    database: db.database,
    user: db.user,
  };
}

/**
 * Replays every history topic from its start against balancedb and transactiondb, at a consistent point:
 * after the command handler and the GraphQL endpoint have consumed everything and the outbox is empty.
 */
export async function reconcile(
  config: ReconcileConfig,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const log = options.log ?? (() => undefined);
  const t0 = Date.now();
  const topology = topologyOf(config);
  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId });
  const codec = new Codec(createRegistry(config.schemaRegistryUrl), topology);
  const admin = kafka.admin();
  await admin.connect();
  const balancedb = await connectDb(dbTarget(config, BALANCE_DB));
  let messages = 0;
  try {
    const names = HISTORY_TOPICS.map((id) => topology[id].name);
    const deadLetters = HISTORY_TOPICS.map((id) => topology[id].deadLetter);

    if (options.wait ?? true) {
      const waited = await waitForConsumers(admin, balancedb, config, topology, log);
      log(
        `waited ${waited.toFixed(1)} s: the command handler and the GraphQL endpoint had consumed everything and the outbox was empty`,
      );
    } else {
      log('not waiting (--no-wait): the databases are compared with the log as they are now');
    }

    const ends = await captureEnds(admin, [...names, ...deadLetters]);
    const commandNames = COMMAND_TOPICS.map((id) => topology[id].name);
    const r = new Reconciler({
      balanceChangedTopic: topology.balanceChanged.name,
      expectedCommands: spanOf(ends, commandNames) + 1024,
    });
    const byName = new Map<string, TopicId>(HISTORY_TOPICS.map((id) => [topology[id].name, id]));
    const timeoutMs = config.readTimeoutSeconds * 1000;

    // Dead letters first: a command set aside there is reported apart rather than as unanswered.
    await readTopics(
      kafka,
      ends,
      deadLetters,
      async (_topic, _partition, batch) => {
        for (const m of batch) {
          messages++;
          const source = header(m.headers, DeadLetterHeader.topic);
          if (source === undefined || header(m.headers, DeadLetterHeader.resubmitted) !== undefined) continue;
          const at: Position = {
            topic: source,
            partition: Number(header(m.headers, DeadLetterHeader.partition) ?? -1),
            offset: header(m.headers, DeadLetterHeader.offset) ?? '-1',
          };
          const sourceId = byName.get(source);
          let id: Buffer | undefined;
          if (sourceId) {
            const [d] = await codec.decodeAll(sourceId, [m.value]);
            if (d?.ok && 'id' in (d.value as object)) id = (d.value as { id: Buffer }).id;
          }
          r.deadLetter(at, id, header(m.headers, DeadLetterHeader.error) ?? 'no error given');
        }
      },
      timeoutMs,
    );

    const rows = await streamRows<{ iban: string; amount: bigint; lmt: bigint }>(
      balancedb,
      'SELECT iban, amount, lmt FROM balance',
      (chunk) => {
        for (const row of chunk) r.balanceRow(row.iban, row.amount, row.lmt);
      },
    );
    log(`balancedb: ${rows} balances read`);

    const feed = async (ids: readonly TopicId[]) => {
      const t = Date.now();
      await readTopics(
        kafka,
        ends,
        ids.map((id) => topology[id].name),
        async (topic, partition, batch) => {
          const id = byName.get(topic) as TopicId;
          const decoded = await codec.decodeAll(
            id,
            batch.map((m) => m.value),
          );
          messages += batch.length;
          for (let i = 0; i < batch.length; i++) {
            const d = decoded[i];
            const at: Position = { topic, partition, offset: (batch[i] as KafkaMessage).offset };
            if (!d?.ok) {
              r.undecodable(at, d?.error.message ?? 'not decoded');
              continue;
            }
            dispatch(r, id, at, d.value);
          }
        },
        timeoutMs,
      );
      log(
        `${ids.map((id) => topology[id].name).join(', ')}: read in ${((Date.now() - t) / 1000).toFixed(1)} s`,
      );
    };
    await feed(COMMAND_TOPICS);
    await feed(ANSWER_TOPICS);
    await feed(['balanceChanged']);

    const bcEnds = ends.get(topology.balanceChanged.name) ?? new Map();
    const transactiondb = await connectDb(dbTarget(config, TRANSACTION_DB));
    try {
      let later = 0;
      const n = await streamRows<{
        kafka_topic: string;
        kafka_partition: number;
        kafka_offset: bigint;
        iban: string;
        new_balance: bigint;
        changed_by: bigint;
        from_to: string;
        description: string;
      }>(
        transactiondb,
        'SELECT kafka_topic, kafka_partition, kafka_offset, iban, new_balance, changed_by, from_to, description FROM transaction',
        (chunk) => {
          for (const row of chunk) {
            // A row of an event written after the ends were captured belongs to a later reconciliation.
            const end =
              row.kafka_topic === topology.balanceChanged.name ? bcEnds.get(row.kafka_partition) : undefined;
            if (end && row.kafka_offset >= end.high) {
              later++;
              continue;
            }
            const t: TransactionRow = {
              topic: row.kafka_topic,
              partition: row.kafka_partition,
              offset: String(row.kafka_offset),
              iban: row.iban,
              new_balance: row.new_balance,
              changed_by: row.changed_by,
              from_to: row.from_to,
              description: row.description,
            };
            r.transactionRow(t);
          }
        },
      );
      log(
        `transactiondb: ${n} rows read${later > 0 ? ` (${later} of events past the captured ends left out)` : ''}`,
      );
    } finally {
      await transactiondb.end();
    }

    const after = await captureEnds(admin, names);
    if (grew(ends, after))
      log('note: the log grew while it was read; the load did not stop, so findings may be of moving data');
    const report = r.finish();
    return {
      report,
      seconds: (Date.now() - t0) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      messages,
    };
  } finally {
    await balancedb.end().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

function dispatch(r: Reconciler, id: TopicId, at: Position, value: unknown): void {
  const v = value as never;
  if (id === 'confirmMoneyTransfer') r.transferCommand(at, v);
  else if (id === 'confirmAccountCreation') r.accountCommand(at, v);
  else if (id === 'moneyTransferConfirmed') r.transferConfirmed(at, v);
  else if (id === 'moneyTransferFailed') r.transferFailed(at, v);
  else if (id === 'accountCreationConfirmed') r.accountConfirmed(at, v);
  else if (id === 'accountCreationFailed') r.accountFailed(at, v);
  else if (id === 'balanceChanged') r.balanceChanged(at, v);
}

export function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

function grew(before: TopicRanges, after: TopicRanges): boolean {
  for (const [topic, parts] of after)
    for (const [p, r] of parts) if (r.high !== before.get(topic)?.get(p)?.high) return true;
  return false;
}

/**
 * Waits until the command handler has consumed the command topics (its group's offsets, or balancedb's
 * consumed table where it keeps them), the GraphQL endpoint its answer topics and balance_changed, and the
 * outbox is empty — twice in a row a second apart, so nothing was in flight. Answers the seconds waited.
 */
async function waitForConsumers(
  admin: Admin,
  balancedb: Awaited<ReturnType<typeof connectDb>>,
  config: ReconcileConfig,
  topology: Topology,
  log: (line: string) => void,
): Promise<number> {
  const t0 = Date.now();
  const until = t0 + config.waitSeconds * 1000;
  const commands = COMMAND_TOPICS.map((id) => topology[id].name);
  const answers = ANSWER_TOPICS.map((id) => topology[id].name);
  const events = [topology.balanceChanged.name];
  let previous = '';
  let lastSaid = 0;
  for (;;) {
    const ends = await captureEnds(admin, [...commands, ...answers, ...events]);
    const consumed = await consumedPositions(balancedb);
    const watched: Watched[] = [
      consumed
        ? { name: 'balancedb consumed', topics: commands, positions: consumed }
        : {
            name: config.handlerGroup,
            topics: commands,
            positions: await groupPositions(admin, config.handlerGroup, commands),
          },
      {
        name: `${config.endpointClientId}-answers`,
        topics: answers,
        positions: await groupPositions(admin, `${config.endpointClientId}-answers`, answers),
      },
      {
        name: `${config.endpointClientId}-transactions`,
        topics: events,
        positions: await groupPositions(admin, `${config.endpointClientId}-transactions`, events),
      },
    ];
    const outbox = await outboxRows(balancedb);
    const behind = lagging(ends, watched);
    const key = snapshotKey(ends, watched, outbox);
    if (behind.length === 0 && outbox === 0 && key === previous) return (Date.now() - t0) / 1000;
    previous = behind.length === 0 && outbox === 0 ? key : '';
    if (Date.now() >= until) {
      throw new NotConsistentError(
        `the services did not consume everything within ${config.waitSeconds} s (RECONCILE_WAIT_SECONDS): ${[
          ...behind.slice(0, 5),
          ...(outbox > 0 ? [`${outbox} outbox rows`] : []),
        ].join(
          '; ',
        )}${behind.length > 5 ? ` and ${behind.length - 5} more` : ''}; stop the load, or pass --no-wait`,
      );
    }
    if (Date.now() - lastSaid > 10_000 && (behind.length > 0 || outbox > 0)) {
      lastSaid = Date.now();
      log(
        `waiting for the services to consume everything: ${behind.length} partitions behind, ${outbox} outbox rows`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
