// Benchmark: pnpm --filter @open-bank/command-handler bench
//
// Against a running stack (`pnpm stack up`; the connection comes from the usual variables), on scratch
// copies of the handler's topics: opens BENCH_ACCOUNTS accounts through the handler, stops it, writes
// BENCH_TRANSFERS transfers with the command generator's mix up front, then starts the handler again as its
// own process and reports commands/s until every transfer is answered.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CommandGenerator,
  KIND_SLOTS,
  kindOfSlot,
  secureRandom,
  transferOf,
} from '@open-bank/command-generator';
import {
  boolean,
  envVar,
  exitOnStartupError,
  hostPortList,
  httpUrl,
  integer,
  parseConfig,
  text,
} from '@open-bank/config';
import { freePort } from '@open-bank/runtime/testing';
import {
  type AccountCreationConfirmed,
  bytesToUuid,
  createKafka,
  keyFor,
  producerDefaults,
  type RecordOf,
  type TopicId,
  uuidToBytes,
} from '@open-bank/topology';
import type { Kafka } from 'kafkajs';
import { createScratchTopics, type ScratchTopics } from '../testing/scratch-topics.ts';

const spec = {
  brokers: envVar('KAFKA_BROKERS', hostPortList(), { default: 'localhost:9092' }),
  registryUrl: envVar('SCHEMA_REGISTRY_URL', httpUrl(), { default: 'http://localhost:8081' }),
  dbHostname: envVar('DB_HOSTNAME', text(), { default: 'localhost' }),
  dbPort: envVar('DB_PORT', integer({ min: 1, max: 65_535 }), { default: '5433' }),
  dbPassword: envVar('DB_PASSWORD', text(), { default: 'open-bank' }),
  accounts: envVar('BENCH_ACCOUNTS', integer({ min: 1, max: 100_000 }), { default: '300' }),
  transfers: envVar('BENCH_TRANSFERS', integer({ min: 1, max: 10_000_000 }), { default: '20000' }),
  concurrency: envVar('COMMAND_HANDLER_CONCURRENCY', integer({ min: 1, max: 64 }), { default: '10' }),
  keepTopics: envVar('BENCH_KEEP_TOPICS', boolean(), { default: 'false' }),
  handlerLogLevel: envVar('BENCH_HANDLER_LOG_LEVEL', text(), {
    default: 'warn',
    description: "the handler's LOG_LEVEL; its log goes to stdout unless warn",
  }),
};

const ANSWERS = [
  'accountCreationConfirmed',
  'accountCreationFailed',
  'moneyTransferConfirmed',
  'moneyTransferFailed',
];

async function main(): Promise<void> {
  const config = parseConfig(spec, process.env);
  const run = randomUUID().slice(0, 8);
  const kafka = createKafka({ brokers: config.brokers, clientId: `command-handler-bench-${run}` });
  const scratch = await createScratchTopics(kafka, config.registryUrl, `bench_${run}`);
  const answers = await countAnswers(kafka, scratch);
  const producer = kafka.producer(producerDefaults);
  await producer.connect();
  const write = async <T extends TopicId>(topic: T, values: readonly RecordOf<T>[]) => {
    const t = scratch.topology[topic];
    const now = new Date();
    for (let i = 0; i < values.length; i += 2_000) {
      await producer.send({
        topic: t.name,
        acks: -1,
        messages: values
          .slice(i, i + 2_000)
          .map((v) => ({ key: keyFor(t, v, now), value: scratch.codec.encode(topic, v) })),
      });
    }
  };
  const handlerEnv = {
    ...process.env,
    ...scratch.topicEnv,
    KAFKA_BROKERS: config.brokers.join(','),
    SCHEMA_REGISTRY_URL: config.registryUrl,
    DB_HOSTNAME: config.dbHostname,
    DB_PORT: String(config.dbPort),
    DB_PASSWORD: config.dbPassword,
    COMMAND_HANDLER_INSTANCE: `bench-${run}`,
    COMMAND_HANDLER_CONCURRENCY: String(config.concurrency),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: config.handlerLogLevel,
  };

  try {
    log(
      `scratch topics bench_${run}_*; ${config.accounts} accounts, ${config.transfers} transfers, concurrency ${config.concurrency}`,
    );
    const accountIds = Array.from({ length: config.accounts }, () => randomUUID());
    await write(
      'confirmAccountCreation',
      accountIds.map((id) => ({ id: uuidToBytes(id), a_type: 'AUTO' as const })),
    );
    const opening = await startHandler(handlerEnv);
    await measure('account creations', answers, config.accounts, opening.started);
    await opening.stop();

    const generator = new CommandGenerator(secureRandom);
    const now = new Date();
    const opened: AccountCreationConfirmed[] = [];
    for (const id of accountIds) {
      const a = answers.accounts.get(id);
      if (a) opened.push({ id: uuidToBytes(id), iban: a.iban, token: a.token, a_type: 'AUTO' });
    }
    const salaries = generator
      .forConfirmedAccounts(opened, now)
      .map((c) => c.value as RecordOf<'confirmMoneyTransfer'>);
    const transfers = salaries.slice(0, config.transfers);
    while (transfers.length < config.transfers) {
      transfers.push(
        transferOf(kindOfSlot(secureRandom.int(KIND_SLOTS.length)), generator.accounts, secureRandom, now),
      );
    }
    const written = performance.now();
    await write('confirmMoneyTransfer', transfers);
    log(`wrote ${transfers.length} transfers in ${seconds(performance.now() - written)} s`);

    answers.reset();
    const handling = await startHandler(handlerEnv);
    await measure('transfers', answers, transfers.length, handling.started);
    await handling.stop();
    const reasons = [...answers.reasons].map(([r, n]) => `${r}: ${n}`).join(', ');
    log(`answers: ${reasons}`);
    if (answers.total !== transfers.length)
      throw new Error(`expected ${transfers.length} answers, got ${answers.total}`);
  } finally {
    await producer.disconnect();
    await answers.stop();
    if (!config.keepTopics) await scratch.drop();
  }
}

interface AnswerCount {
  total: number;
  firstAt: number | undefined;
  lastAt: number | undefined;
  readonly accounts: Map<string, { iban: string; token: string }>;
  readonly reasons: Map<string, number>;
  reset(): void;
  stop(): Promise<void>;
}

/** Counts answers as they become visible to a read-committed consumer, as the bank's consumers see them. */
async function countAnswers(kafka: Kafka, scratch: ScratchTopics): Promise<AnswerCount> {
  const consumer = kafka.consumer({ groupId: `command-handler-bench-${randomUUID()}`, maxWaitTimeInMs: 50 });
  const byName = new Map(ANSWERS.map((id) => [scratch.topology[id as TopicId].name, id as TopicId]));
  const count: AnswerCount = {
    total: 0,
    firstAt: undefined,
    lastAt: undefined,
    accounts: new Map(),
    reasons: new Map(),
    reset() {
      count.total = 0;
      count.firstAt = undefined;
      count.lastAt = undefined;
      count.reasons.clear();
    },
    stop: () => consumer.disconnect(),
  };
  await consumer.connect();
  await consumer.subscribe({ topics: [...byName.keys()], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const topic = byName.get(batch.topic) as TopicId;
      const decoded = await scratch.codec.decodeAll(
        topic,
        batch.messages.map((m) => m.value),
      );
      const now = performance.now();
      count.firstAt ??= now;
      count.lastAt = now;
      for (const d of decoded) {
        if (!d.ok) throw d.error;
        count.total++;
        const v = d.value as { id: Buffer; iban?: string; token?: string; reason?: string };
        if (v.iban && v.token) count.accounts.set(bytesToUuid(v.id), { iban: v.iban, token: v.token });
        const key = v.reason ?? 'confirmed';
        count.reasons.set(key, (count.reasons.get(key) ?? 0) + 1);
      }
    },
  });
  return count;
}

async function measure(what: string, answers: AnswerCount, expected: number, started: number): Promise<void> {
  let last = answers.total;
  let lastAt = performance.now();
  const deadline = Date.now() + 600_000;
  while (answers.total < expected) {
    if (Date.now() > deadline)
      throw new Error(`${what}: only ${answers.total} of ${expected} answered in 10 min`);
    await new Promise((r) => setTimeout(r, 1_000));
    const now = performance.now();
    const rate = ((answers.total - last) * 1000) / (now - lastAt);
    log(`${what}: ${answers.total}/${expected} answered, ${Math.round(rate)}/s`);
    last = answers.total;
    lastAt = now;
  }
  const first = answers.firstAt ?? started;
  const end = answers.lastAt ?? performance.now();
  const rate = (ms: number) => `${Math.round((expected * 1000) / ms)} commands/s`;
  const steady =
    end - first < 100
      ? 'all in one batch'
      : `${rate(end - first)} from the first answer (${seconds(end - first)} s)`;
  log(
    `${what}: ${expected} answered, ${steady}; ${rate(end - started)} from the handler's start ` +
      `(${seconds(end - started)} s, process start and group join included)`,
  );
}

async function startHandler(env: NodeJS.ProcessEnv): Promise<{ started: number; stop(): Promise<void> }> {
  const port = await freePort();
  const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.ts');
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...env, COMMAND_HANDLER_PORT: String(port) },
    stdio: ['ignore', env.LOG_LEVEL === 'warn' ? 'ignore' : 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the handler exited (${child.exitCode}):\n${stderr}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the handler did not become healthy:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`handler pid ${child.pid} healthy after ${seconds(performance.now() - started)} s`);
  return {
    started,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function log(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

main().catch((e) => exitOnStartupError('command-handler bench', e));
