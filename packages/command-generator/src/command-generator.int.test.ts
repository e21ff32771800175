import { randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import { createLogger } from '@open-bank/runtime';
import { freePort, spawnService, waitFor } from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import {
  type AccountCreationConfirmed,
  bytesToUuid,
  CASH,
  COMPANY_IBAN,
  COMPANY_TOKEN,
  type Codec,
  type ConfirmAccountCreation,
  type ConfirmMoneyTransfer,
  createKafka,
  keyFor,
  newBankIban,
  newToken,
  producerDefaults,
  sendOptions,
  type Topology,
} from '@open-bank/topology';
import { createScratchTopics, type ScratchTopics } from '@open-bank/topology/testing';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandGeneratorConfigSpec } from './config.ts';
import { ALBERT_HEIJN } from './generate.ts';
import { secureRandom } from './random.ts';
import { startCommandGenerator } from './service.ts';

// Scratch topics per run, so commands and accounts of other runs or tests never count.
const run = randomUUID().slice(0, 8);
let scratch: ScratchTopics;
let topology: Topology;
let topicEnv: Record<string, string>;
const LOCAL_DATE_TIME = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}';
const DESCRIPTION = new RegExp(`^(salary|deposit|withdraw|ah pin|transfer) ${LOCAL_DATE_TIME}$`);

let kafka: Kafka;
let codec: Codec;
let producer: Producer;
let answers: Producer;
let collector: Consumer;
const creations: { key: string; value: ConfirmAccountCreation }[] = [];
const transfers: { key: string; value: ConfirmMoneyTransfer }[] = [];

beforeAll(async () => {
  const env = stackEnv();
  kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'command-generator-test' });
  scratch = await createScratchTopics(kafka, env.SCHEMA_REGISTRY_URL, `_gen_${run}`, [
    'heartbeat',
    'confirmAccountCreation',
    'accountCreationConfirmed',
    'confirmMoneyTransfer',
  ]);
  topology = scratch.topology;
  codec = scratch.codec;
  topicEnv = { ...scratch.topicEnv, KAFKA_CLIENT_ID: `generator-${run}` };
  producer = kafka.producer(producerDefaults);
  await producer.connect();
  // The command handler answers in transactions; so does this test, so the generator meets commit markers.
  answers = kafka.producer({ ...producerDefaults, transactionalId: `acc-${run}`, maxInFlightRequests: 1 });
  await answers.connect();

  collector = kafka.consumer({ groupId: `collector-${run}`, maxWaitTimeInMs: 100 });
  await collector.connect();
  await collector.subscribe({
    topics: [topology.confirmAccountCreation.name, topology.confirmMoneyTransfer.name],
    fromBeginning: true,
  });
  await collector.run({
    eachMessage: async ({ topic, message }) => {
      const key = message.key?.toString('utf8') ?? '';
      if (topic === topology.confirmAccountCreation.name)
        creations.push({ key, value: await codec.decode('confirmAccountCreation', message.value) });
      else transfers.push({ key, value: await codec.decode('confirmMoneyTransfer', message.value) });
    },
  });
});

afterAll(async () => {
  await collector?.disconnect();
  await producer?.disconnect();
  await answers?.disconnect();
  await scratch?.drop();
});

async function sendBeats(from: number, to: number): Promise<void> {
  const now = new Date();
  const messages = [];
  for (let beat = from; beat < to; beat++) {
    const value = { beat: BigInt(beat) };
    messages.push({ key: keyFor(topology.heartbeat, value, now), value: codec.encode('heartbeat', value) });
  }
  await producer.send({ ...sendOptions, topic: topology.heartbeat.name, messages });
}

async function confirm(accounts: AccountCreationConfirmed[]): Promise<void> {
  const tx = await answers.transaction();
  await tx.send({
    ...sendOptions,
    topic: topology.accountCreationConfirmed.name,
    messages: accounts.map((a) => ({
      key: keyFor(topology.accountCreationConfirmed, a, new Date()),
      value: codec.encode('accountCreationConfirmed', a),
    })),
  });
  await tx.commit();
}

const account = (command: ConfirmAccountCreation, a_type: 'AUTO' | 'MANUAL' = 'AUTO') => ({
  id: command.id,
  iban: newBankIban(),
  token: newToken(),
  a_type,
});

async function until(what: string, check: () => boolean): Promise<void> {
  await waitFor(check, { timeoutMs: 30_000, what });
}

const salaries = () => transfers.filter((t) => t.value.description.startsWith('salary '));

function expectWellFormed(t: { key: string; value: ConfirmMoneyTransfer }, known: Map<string, string>) {
  const v = t.value;
  expect(t.key).toBe(bytesToUuid(v.id));
  expect(v.description).toMatch(DESCRIPTION);
  const kind = v.description.replace(/ [^ ]+$/, '');
  const accountOrCompany = (iban: string) => iban === COMPANY_IBAN || known.has(iban);
  switch (kind) {
    case 'salary':
      expect([v.from, v.token]).toEqual([COMPANY_IBAN, COMPANY_TOKEN]);
      expect(accountOrCompany(v.to)).toBe(true);
      expect(v.amount >= 220_000n && v.amount < 270_000n).toBe(true);
      return;
    case 'deposit':
      expect([v.from, v.token]).toEqual([CASH, CASH]);
      expect(accountOrCompany(v.to)).toBe(true);
      expect([2000n, 3000n, 5000n, 10000n, 20000n]).toContain(v.amount);
      return;
    default: {
      const token = v.from === COMPANY_IBAN ? COMPANY_TOKEN : known.get(v.from);
      expect(token, `${kind} from ${v.from}`).toBeDefined();
      expect(v.token).toBe(token);
      if (kind === 'withdraw') {
        expect(v.to).toBe(CASH);
        expect([2000n, 3000n, 5000n, 10000n, 20000n]).toContain(v.amount);
      } else {
        expect(v.to).toBe(kind === 'ah pin' ? ALBERT_HEIJN : v.to);
        if (kind === 'transfer') expect(accountOrCompany(v.to)).toBe(true);
        expect(v.amount >= 1_000n && v.amount < 11_000n).toBe(true);
      }
    }
  }
}

describe('command generator', () => {
  it('turns beats into commands, pays new AUTO accounts, and after a restart knows its accounts', async () => {
    const config = parseConfig(commandGeneratorConfigSpec, {
      ...stackEnv(),
      ...topicEnv,
      HTTP_HOST: '127.0.0.1',
    });
    const generator = await startCommandGenerator(
      { ...config, port: 0 },
      { random: secureRandom, clock: () => new Date(), logger: createLogger('command-generator', 'silent') },
    );
    const known = new Map<string, string>();
    let auto: AccountCreationConfirmed[] = [];
    let stopped = false;
    try {
      expect((await fetch(`${generator.url}/health`)).status).toBe(200);

      // Beats 0..19 open accounts; with no account known yet, transfers use the company account.
      await sendBeats(0, 25);
      await until(
        '20 account creations and 5 transfers',
        () => creations.length === 20 && transfers.length === 5,
      );
      for (const c of creations) {
        expect(c.value.a_type).toBe('AUTO');
        expect(c.key).toBe(bytesToUuid(c.value.id));
      }
      expect(new Set(creations.map((c) => c.key)).size).toBe(20);
      for (const t of transfers) {
        expectWellFormed(t, known);
        expect([COMPANY_IBAN, CASH]).toContain(t.value.from);
      }

      // Three AUTO accounts get a salary each; a MANUAL one gets nothing.
      const [c0, c1, c2, c3] = creations.map((c) => c.value) as ConfirmAccountCreation[];
      auto = [c0, c1, c2].map((c) => account(c as ConfirmAccountCreation));
      await confirm([...auto, account(c3 as ConfirmAccountCreation, 'MANUAL')]);
      for (const a of auto) known.set(a.iban, a.token);
      await until('3 salaries', () => salaries().filter((s) => known.has(s.value.to)).length === 3);
      const paid = salaries().filter((s) => known.has(s.value.to));
      expect(paid.map((s) => s.value.to).sort()).toEqual(auto.map((a) => a.iban).sort());
      for (const s of paid) expectWellFormed(s, known);
      await until('3 known accounts', () => generator.knownAccounts().length === 3);

      // Now transfers draw from the known accounts; beat 200 opens one more account.
      const before = transfers.length;
      await sendBeats(25, 225);
      await until(
        '1 more creation and 199 more transfers',
        () => creations.length === 21 && transfers.length === before + 199,
      );
      const drawn = transfers.slice(before);
      for (const t of drawn) expectWellFormed(t, known);
      expect(drawn.some((t) => known.has(t.value.from))).toBe(true);
      expect(drawn.some((t) => t.value.to === ALBERT_HEIJN)).toBe(true);
      expect(
        drawn.filter((t) => t.value.from === COMPANY_IBAN && !t.value.description.startsWith('salary ')),
      ).toEqual([]);

      await generator.stop();
      stopped = true;
    } finally {
      if (!stopped) await generator.stop();
    }

    // A restarted generator reads its accounts back, pays none of them again, and pays only new ones.
    const port = await freePort();
    const service = spawnService({
      name: 'command-generator',
      entry: 'packages/command-generator/src/main.ts',
      env: { ...stackEnv(), ...topicEnv, HTTP_HOST: '127.0.0.1', COMMAND_GENERATOR_PORT: String(port) },
    });
    try {
      await service.waitForHealthy(`http://127.0.0.1:${port}/health`);
      const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', knownAccounts: 3 });

      const salariesBefore = salaries().length;
      const fresh = account(creations[20]?.value as ConfirmAccountCreation);
      // A redelivered confirmation of an account read back is no new account.
      const again = auto[0] as AccountCreationConfirmed;
      await confirm([again, fresh]);
      known.set(fresh.iban, fresh.token);
      await until('a salary for the new account', () => salaries().some((s) => s.value.to === fresh.iban));
      // A salary for the redelivered account would have been published in the same send; give the other
      // partitions a moment, and count before any beat can draw a random salary.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(
        salaries()
          .slice(salariesBefore)
          .map((s) => s.value.to),
      ).toEqual([fresh.iban]);

      const beforeBeats = transfers.length;
      await sendBeats(225, 235);
      await until('10 more transfers', () => transfers.length === beforeBeats + 10);
      for (const t of transfers.slice(beforeBeats)) expectWellFormed(t, known);
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toMatchObject({
        knownAccounts: 4,
      });
      expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- command-generator output ---\n${service.output().slice(-6000)}`,
        {
          cause: e,
        },
      );
    } finally {
      await service.kill();
    }
  });
});
