// Helpers of this package's int tests (not part of the tool): the whole bank — heartbeat, command generator,
// command handler and GraphQL endpoint, the real services — on scratch topics of the test stack's Kafka and
// on a PostgreSQL of its own, so balancedb and transactiondb hold this bank's data and nothing else.
import { randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import { freePort, type ServiceProcess, spawnService } from '@open-bank/runtime/testing';
import { down, stackSettings, up, wipeProfile } from '@open-bank/stack';
import { stackEnv } from '@open-bank/stack/testing';
import { createKafka, topicIds } from '@open-bank/topology';
import { createScratchTopics, type ScratchTopics } from '@open-bank/topology/testing';
import type { Kafka } from 'kafkajs';
import { type ReconcileConfig, reconcileConfigSpec } from '../config.ts';

export interface TestBank {
  readonly kafka: Kafka;
  readonly scratch: ScratchTopics;
  /** The environment that points a service (or `pnpm reconcile`) at this bank. */
  readonly env: Record<string, string>;
  readonly config: ReconcileConfig;
  readonly heartbeatUrl: string;
  readonly services: ServiceProcess[];
  stop(): Promise<void>;
}

// Beside the test stack's own ports; the profile keeps its files apart.
const DB_PORT_SHIFT = 300;

export interface TestDb {
  readonly env: { DB_HOSTNAME: string; DB_PORT: string; DB_PASSWORD: string };
  stop(): Promise<void>;
}

/** A PostgreSQL of its own with the bank's roles, databases and tables, as the stack makes them. */
export async function startTestDb(label: string): Promise<TestDb> {
  const profile = `${process.env.STACK_TEST_PROFILE ?? 'test'}-${label}`;
  const offset = Number(process.env.STACK_TEST_PORT_OFFSET ?? 10_000) + DB_PORT_SHIFT;
  // A clean environment: DB_HOSTNAME would make the stack use that server instead of starting one.
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DB_')));
  const settings = stackSettings({ profile, brokers: undefined, portOffset: offset }, {});
  const options = { env: baseEnv, log: () => undefined };
  await down(settings, options).catch(() => undefined);
  wipeProfile(profile);
  const db = await up(settings, { ...options, only: ['postgres'] });
  return {
    env: { DB_HOSTNAME: db.env.DB_HOSTNAME, DB_PORT: db.env.DB_PORT, DB_PASSWORD: db.env.DB_PASSWORD },
    stop: async () => {
      await down(settings, options).catch(() => undefined);
      try {
        wipeProfile(profile);
      } catch {
        // Left for the next run's wipe.
      }
    },
  };
}

export async function startTestBank(label: string): Promise<TestBank> {
  const shared = stackEnv();
  const db = await startTestDb(label);
  const kafka = createKafka({
    brokers: shared.KAFKA_BROKERS.split(','),
    clientId: `reconcile-test-${label}`,
  });
  const scratch = await createScratchTopics(
    kafka,
    shared.SCHEMA_REGISTRY_URL,
    `_rc_${label}_${randomUUID().slice(0, 8)}`,
    topicIds,
  );
  const endpointClientId = `graphql-endpoint-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: shared.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: shared.SCHEMA_REGISTRY_URL,
    ...db.env,
    RECONCILE_ENDPOINT_CLIENT_ID: endpointClientId,
    RECONCILE_WAIT_SECONDS: '180',
    ...scratch.topicEnv,
  };
  const services: ServiceProcess[] = [];
  const start = async (name: string, entry: string, portVar: string, extra: Record<string, string> = {}) => {
    const port = await freePort();
    const proc = spawnService({
      name,
      entry,
      env: { ...env, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn', [portVar]: String(port), ...extra },
    });
    services.push(proc);
    return { proc, url: `http://127.0.0.1:${port}` };
  };
  const stop = async () => {
    for (const p of services.reverse()) await p.stop().catch(() => undefined);
    await scratch.drop().catch(() => undefined);
    await db.stop();
  };
  try {
    const handler = await start(
      'command-handler',
      'packages/command-handler/src/main.ts',
      'COMMAND_HANDLER_PORT',
      {
        COMMAND_HANDLER_INSTANCE: `rc-${randomUUID().slice(0, 8)}`,
      },
    );
    const endpoint = await start(
      'graphql-endpoint',
      'packages/graphql-endpoint/src/main.ts',
      'GRAPHQL_PORT',
      {
        KAFKA_CLIENT_ID: endpointClientId,
      },
    );
    const generator = await start(
      'command-generator',
      'packages/command-generator/src/main.ts',
      'COMMAND_GENERATOR_PORT',
    );
    const heartbeat = await start('heartbeat', 'packages/heartbeat/src/main.ts', 'HEARTBEAT_PORT');
    for (const s of [handler, endpoint, generator, heartbeat])
      await s.proc.waitForHealthy(`${s.url}/health`, 120_000);
    return {
      kafka,
      scratch,
      env,
      config: parseConfig(reconcileConfigSpec, env),
      heartbeatUrl: heartbeat.url,
      services,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Sets the heartbeat's rate: beats per interval of 100 ms (0 stops the load). */
export async function setLoad(bank: TestBank, batchSize: number): Promise<void> {
  const res = await fetch(`${bank.heartbeatUrl}/state`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ batchSize, intervalMs: 100 }),
  });
  if (!res.ok) throw new Error(`heartbeat PUT /state: HTTP ${res.status} ${await res.text()}`);
}
