// Helpers of this package's int tests (not part of the service). Each test file runs the handler on its own
// scratch topics, so counts and orders it checks are its own even on a stack shared with other tests.
import { randomUUID } from 'node:crypto';
import { readTopic } from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import {
  type BalanceChanged,
  bytesToUuid,
  type ConfirmMoneyTransfer,
  createKafka,
  keyFor,
  producerDefaults,
  type RecordOf,
  type TopicId,
  uuidToBytes,
} from '@open-bank/topology';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { DB_NAME, DB_USER } from '../config.ts';
import { createPool } from '../db.ts';
import { createScratchTopics, type ScratchTopics } from './scratch-topics.ts';

export { HANDLER_TOPICS } from './scratch-topics.ts';

export interface Scratch extends ScratchTopics {
  readonly kafka: Kafka;
}

/** The handler's topics under a fresh prefix on the test stack, schemas registered. */
export async function scratchTopics(label: string): Promise<Scratch> {
  const env = stackEnv();
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: `ch-test-${label}` });
  const topics = await createScratchTopics(
    kafka,
    env.SCHEMA_REGISTRY_URL,
    `_ch_${label}_${randomUUID().slice(0, 8)}`,
  );
  return { ...topics, kafka };
}

/** The environment of a command handler on the test stack and the scratch topics. */
export function handlerEnv(scratch: Scratch, extra: Record<string, string> = {}): Record<string, string> {
  const env = stackEnv();
  return {
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    DB_HOSTNAME: env.DB_HOSTNAME,
    DB_PORT: env.DB_PORT,
    DB_PASSWORD: env.DB_PASSWORD,
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...scratch.topicEnv,
    ...extra,
  };
}

export function balancedb(): pg.Pool {
  const env = stackEnv();
  return createPool({
    host: env.DB_HOSTNAME,
    port: Number(env.DB_PORT),
    user: DB_USER,
    password: env.DB_PASSWORD,
    database: DB_NAME,
    max: 2,
  });
}

export async function balancesOf(pool: pg.Pool, ibans: readonly string[]): Promise<Map<string, bigint>> {
  const r = await pool.query<{ iban: string; amount: bigint }>(
    'SELECT iban, amount FROM balance WHERE iban = ANY($1::text[])',
    [ibans],
  );
  return new Map(r.rows.map((row) => [row.iban, row.amount]));
}

export type TransferCommand = Omit<ConfirmMoneyTransfer, 'id'> & { readonly id: string };

/** Writes commands the way the command generator and GraphQL endpoint do. */
export class CommandWriter {
  private readonly producer: Producer;
  constructor(private readonly scratch: Scratch) {
    this.producer = scratch.kafka.producer(producerDefaults);
  }
  connect(): Promise<void> {
    return this.producer.connect();
  }
  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async accounts(ids: readonly string[], aType: 'AUTO' | 'MANUAL' = 'AUTO'): Promise<void> {
    await this.write(
      'confirmAccountCreation',
      ids.map((id) => ({ id: uuidToBytes(id), a_type: aType })),
    );
  }

  async transfers(commands: readonly TransferCommand[]): Promise<void> {
    await this.write(
      'confirmMoneyTransfer',
      commands.map((c) => ({ ...c, id: uuidToBytes(c.id) })),
    );
  }

  async raw(topic: string, values: readonly Buffer[], partition = 0): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: values.map((value) => ({ key: randomUUID(), value, partition })),
    });
  }

  private async write<T extends TopicId>(topic: T, values: RecordOf<T>[]): Promise<void> {
    const t = this.scratch.topology[topic];
    const now = new Date();
    await this.producer.send({
      topic: t.name,
      acks: -1,
      messages: values.map((v) => ({ key: keyFor(t, v, now), value: this.scratch.codec.encode(topic, v) })),
    });
  }
}

export interface Answer {
  readonly topic:
    | 'accountCreationConfirmed'
    | 'accountCreationFailed'
    | 'moneyTransferConfirmed'
    | 'moneyTransferFailed';
  readonly reason?: string;
  readonly iban?: string;
  readonly token?: string;
  /** The raw value, to compare re-sent answers byte for byte. */
  readonly value: Buffer;
}

/** Every answer on the answer topics (read committed), by command id, in offset order. */
export async function readAnswers(scratch: Scratch): Promise<Map<string, Answer[]>> {
  const out = new Map<string, Answer[]>();
  for (const topic of [
    'accountCreationConfirmed',
    'accountCreationFailed',
    'moneyTransferConfirmed',
    'moneyTransferFailed',
  ] as const) {
    const messages = await readTopic(scratch.kafka, scratch.topology[topic].name);
    const decoded = await scratch.codec.decodeAll(
      topic,
      messages.map((m) => m.value),
    );
    for (const [i, d] of decoded.entries()) {
      if (!d.ok) throw d.error;
      const v = d.value as { id: Buffer; reason?: string; iban?: string; token?: string };
      const id = bytesToUuid(v.id);
      const list = out.get(id) ?? [];
      list.push({
        topic,
        reason: v.reason,
        iban: v.iban,
        token: v.token,
        value: messages[i]?.value as Buffer,
      });
      out.set(id, list);
    }
  }
  return out;
}

/** Every BalanceChanged (read committed), grouped by IBAN in topic order (one IBAN, one partition). */
export async function readBalanceChanges(scratch: Scratch): Promise<Map<string, BalanceChanged[]>> {
  const messages = await readTopic(scratch.kafka, scratch.topology.balanceChanged.name);
  const decoded = await scratch.codec.decodeAll(
    'balanceChanged',
    messages.map((m) => m.value),
  );
  const out = new Map<string, BalanceChanged[]>();
  for (const [i, d] of decoded.entries()) {
    if (!d.ok) throw d.error;
    if (messages[i]?.key?.toString() !== d.value.iban) throw new Error(`BalanceChanged keyed wrongly`);
    const list = out.get(d.value.iban) ?? [];
    list.push(d.value);
    out.set(d.value.iban, list);
  }
  return out;
}

/**
 * Problems with the event chains: per IBAN every new_balance must equal the previous one plus changed_by,
 * starting from the balance before the test and ending at the balance balancedb holds now.
 */
export function chainProblems(
  changes: ReadonlyMap<string, readonly BalanceChanged[]>,
  before: ReadonlyMap<string, bigint>,
  after: ReadonlyMap<string, bigint>,
): string[] {
  const problems: string[] = [];
  for (const [iban, events] of changes) {
    let balance = before.get(iban) ?? 0n;
    for (const [i, e] of events.entries()) {
      if (e.new_balance !== balance + e.changed_by) {
        problems.push(`${iban} event ${i}: ${balance} + ${e.changed_by} != ${e.new_balance}`);
      }
      balance = e.new_balance;
    }
    if (after.get(iban) !== balance)
      problems.push(`${iban}: events end at ${balance}, balancedb holds ${after.get(iban)}`);
  }
  for (const [iban, amount] of after) {
    if (!changes.has(iban) && amount !== (before.get(iban) ?? 0n))
      problems.push(`${iban}: balance changed to ${amount} without any event`);
  }
  return problems;
}

/** Per command message exactly one answer: ids sent n times have n answers, all alike. */
export function answerProblems(
  sent: ReadonlyMap<string, number>,
  answers: ReadonlyMap<string, Answer[]>,
): string[] {
  const problems: string[] = [];
  for (const [id, times] of sent) {
    const got = answers.get(id) ?? [];
    if (got.length !== times) problems.push(`${id}: sent ${times}x, answered ${got.length}x`);
    else if (got.some((a) => !a.value.equals((got[0] as Answer).value)))
      problems.push(`${id}: answers differ`);
  }
  for (const id of answers.keys()) if (!sent.has(id)) problems.push(`${id}: answered but never sent`);
  return problems;
}
