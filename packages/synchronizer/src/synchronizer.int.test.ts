import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@open-bank/config';
import { stackEnv } from '@open-bank/stack/testing';
import { createKafka, plannedTopics, schemaText, topologyOf } from '@open-bank/topology';
import kafkajs, { type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SynchronizerConfig, synchronizerConfigSpec } from './config.ts';
import { type SynchronizeOptions, type SyncResult, synchronize } from './synchronize.ts';

const { ConfigResourceTypes } = kafkajs;

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const TSX = `${REPO}node_modules/.bin/tsx`;
const MAIN = `${REPO}packages/synchronizer/src/main.ts`;

// The test stack is shared with other test files and runs: scratch names are unique per run, and runs that
// delete are narrowed to them, so another test's scratch topics are never touched.
const run = randomUUID().slice(0, 8);
const scratch = (what: string) => `sync_${run}_${what}`;
const mine = (topic: string) => topic.startsWith(`sync_${run}_`);

let env: { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string };
let config: SynchronizerConfig;
let admin: Admin;

function configWith(extra: Record<string, string> = {}): SynchronizerConfig {
  return parseConfig(synchronizerConfigSpec, { ...env, SYNC_WAIT_SECONDS: '30', ...extra });
}

async function sync(options: Partial<SynchronizeOptions> = {}): Promise<SyncResult & { lines: string[] }> {
  const lines: string[] = [];
  const result = await synchronize({ config, deletable: mine, log: (l) => lines.push(l), ...options });
  return { ...result, lines };
}

async function partitionsOf(topic: string): Promise<number | undefined> {
  const { topics } = await admin.fetchTopicMetadata();
  return topics.find((t) => t.name === topic)?.partitions.length;
}

async function topicConfig(topic: string, name: string): Promise<string | undefined> {
  const answer = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }],
    includeSynonyms: false,
  });
  return answer.resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
}

async function setRetention(topic: string, ms: string): Promise<void> {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: ms }] },
    ],
  });
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as users do (`pnpm sync` runs the same file with tsx), with a clean Kafka environment. */
function cli(args: string[], vars: Record<string, string>): Promise<CliRun> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(KAFKA_|SCHEMA_REGISTRY_|SYNC_)/.test(k)),
  );
  return new Promise((resolve) => {
    execFile(
      TSX,
      [MAIN, ...args],
      { cwd: REPO, env: { ...base, ...vars }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

beforeAll(async () => {
  const s = stackEnv();
  env = { KAFKA_BROKERS: s.KAFKA_BROKERS, SCHEMA_REGISTRY_URL: s.SCHEMA_REGISTRY_URL };
  config = configWith();
  admin = createKafka({ brokers: config.brokers, clientId: 'synchronizer-test' }).admin();
  await admin.connect();
});

afterAll(async () => {
  // Leave the shared stack as the topology wants it, and take our scratch topics and subjects away.
  await sync().catch(() => undefined);
  const { topics } = await admin.fetchTopicMetadata();
  const ours = topics.map((t) => t.name).filter(mine);
  if (ours.length > 0) await admin.deleteTopics({ topics: ours }).catch(() => undefined);
  const subjects = (await (await fetch(`${env.SCHEMA_REGISTRY_URL}/subjects`)).json()) as string[];
  for (const subject of subjects.filter(mine)) {
    await fetch(`${env.SCHEMA_REGISTRY_URL}/subjects/${subject}`, { method: 'DELETE' });
    await fetch(`${env.SCHEMA_REGISTRY_URL}/subjects/${subject}?permanent=true`, { method: 'DELETE' });
  }
  await admin.disconnect();
});

describe('synchronize (in-process)', () => {
  it('leaves all 16 topics with their partitions and configs, and the 8 subjects serving our schemas', async () => {
    const first = await sync();
    expect(first.failures).toEqual([]);
    expect(first.remaining).toEqual([]);

    const desired = plannedTopics(topologyOf(config));
    expect(desired).toHaveLength(16);
    const { topics } = await admin.fetchTopicMetadata();
    for (const want of desired) {
      const have = topics.find((t) => t.name === want.name);
      expect(have, want.name).toBeDefined();
      expect(have?.partitions.length, want.name).toBe(want.partitions);
    }
    const topology = topologyOf(config);
    await expect.poll(() => topicConfig(topology.heartbeat.name, 'retention.ms')).toBe('900000');

    const withSchema = desired.filter((t) => t.subject !== undefined);
    expect(withSchema).toHaveLength(8);
    for (const t of withSchema) {
      const res = await fetch(`${env.SCHEMA_REGISTRY_URL}/subjects/${t.subject}/versions/latest/schema`);
      expect(res.status, t.subject).toBe(200);
      expect(await res.text(), t.subject).toBe(schemaText(t.schema as NonNullable<typeof t.schema>));
    }
  });

  it('plans nothing on a second run', async () => {
    const again = await sync();
    expect(again.plan.actions).toEqual([]);
    expect(again.outcomes).toEqual([]);
    expect(again.lines).toContain('plan: nothing to change');
  });

  it('deletes a topic that is not in the topology', async () => {
    const foreign = scratch('foreign');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: foreign, numPartitions: 2 }] });
    await expect.poll(() => partitionsOf(foreign)).toBe(2);

    const result = await sync();
    expect(result.plan.actions).toEqual([{ kind: 'delete-topic', topic: foreign, partitions: 2 }]);
    expect(result.failures).toEqual([]);
    await expect.poll(() => partitionsOf(foreign)).toBeUndefined();
    expect(result.lines).toContain(`  done: deleted topic ${foreign}`);
  });

  it('restores a config that drifted', async () => {
    const heartbeat = topologyOf(config).heartbeat.name;
    await setRetention(heartbeat, '60000');
    await expect.poll(() => topicConfig(heartbeat, 'retention.ms')).toBe('60000');

    const result = await sync();
    expect(result.plan.actions).toEqual([
      expect.objectContaining({
        kind: 'alter-configs',
        topic: heartbeat,
        changes: [{ name: 'retention.ms', from: '60000', to: '900000' }],
      }),
    ]);
    expect(result.failures).toEqual([]);
    await expect.poll(() => topicConfig(heartbeat, 'retention.ms')).toBe('900000');
  });

  it('keeps an existing history topic and its dead letters forever (retention.ms=-1)', async () => {
    // A topic made before the topology asked for infinite retention: it has the broker's default.
    const bc = scratch('bc');
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: bc, numPartitions: 9 },
        { topic: `${bc}.dlq`, numPartitions: 1 },
      ],
    });
    await setRetention(`${bc}.dlq`, '604800000');
    const scratchConfig = configWith({ KAFKA_BC_TOPIC: bc });

    const result = await sync({ config: scratchConfig });
    expect(result.failures).toEqual([]);
    expect(result.plan.actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'alter-configs',
          topic: bc,
          changes: [{ name: 'retention.ms', from: expect.any(String), to: '-1' }],
        }),
        expect.objectContaining({
          kind: 'alter-configs',
          topic: `${bc}.dlq`,
          changes: [{ name: 'retention.ms', from: '604800000', to: '-1' }],
        }),
      ]),
    );
    await expect.poll(() => topicConfig(bc, 'retention.ms')).toBe('-1');
    await expect.poll(() => topicConfig(`${bc}.dlq`, 'retention.ms')).toBe('-1');
    const again = await sync({ config: scratchConfig });
    expect(again.plan.actions.filter((a) => a.kind === 'alter-configs')).toEqual([]);

    expect((await sync()).failures).toEqual([]);
    await expect.poll(() => partitionsOf(bc)).toBeUndefined();
  });

  it('adds partitions when the topology wants more than a topic has', async () => {
    // A topology whose confirm_money_transfer (9 partitions) is a scratch topic that has only 1.
    const cmt = scratch('cmt');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: cmt, numPartitions: 1 }] });
    const scratchConfig = configWith({ KAFKA_CMT_TOPIC: cmt });

    const result = await sync({ config: scratchConfig });
    expect(result.failures).toEqual([]);
    expect(result.plan.actions).toEqual(
      expect.arrayContaining([
        { kind: 'add-partitions', topic: cmt, from: 1, to: 9 },
        expect.objectContaining({ kind: 'create-topic', topic: `${cmt}.dlq`, partitions: 1 }),
        expect.objectContaining({ kind: 'register-schema', subject: `${cmt}-value`, reason: 'missing' }),
      ]),
    );
    // The bank's own confirm_money_transfer is not in this topology, but it is not ours to delete here.
    expect(result.plan.keptUnknown).toContain(topologyOf(config).confirmMoneyTransfer.name);
    await expect.poll(() => partitionsOf(cmt)).toBe(9);
    expect((await sync({ config: scratchConfig })).plan.actions).toEqual([]);

    // Back to the real topology: the scratch topics are now foreign, and ours to delete.
    const back = await sync();
    expect(back.plan.actions.map((a) => (a.kind === 'delete-topic' ? a.topic : a.kind))).toEqual([
      cmt,
      `${cmt}.dlq`,
    ]);
    expect(back.failures).toEqual([]);
  });

  it('changes nothing on a dry run', async () => {
    const foreign = scratch('dry');
    const heartbeat = topologyOf(config).heartbeat.name;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: foreign, numPartitions: 1 }] });
    await setRetention(heartbeat, '120000');

    const result = await sync({ dryRun: true });
    expect(result.plan.actions).toEqual([
      expect.objectContaining({ kind: 'alter-configs', topic: heartbeat }),
      { kind: 'delete-topic', topic: foreign, partitions: 1 },
    ]);
    expect(result.outcomes).toEqual([]);
    expect(result.lines).toContain('dry run: nothing was changed');
    await expect.poll(() => partitionsOf(foreign)).toBe(1);
    await expect.poll(() => topicConfig(heartbeat, 'retention.ms')).toBe('120000');

    expect((await sync()).failures).toEqual([]);
    await expect.poll(() => topicConfig(heartbeat, 'retention.ms')).toBe('900000');
  });
});

describe('pnpm sync (the CLI)', () => {
  it('exits 0 and prints "nothing to change" on a synced cluster', async () => {
    // --no-delete: other runs' scratch topics on the shared stack are not this test's to remove.
    const r = await cli(['--no-delete'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Kafka is up');
    expect(r.stdout).toContain('plan: nothing to change');
  });

  it('prints the plan of a dry run, exits 0 and changes nothing', async () => {
    const foreign = scratch('cli_dry');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: foreign, numPartitions: 3 }] });
    const r = await cli(['--dry-run'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  - delete topic ${foreign}: not in the topology (3 partitions)`);
    expect(r.stdout).toContain('dry run: nothing was changed');
    await expect.poll(() => partitionsOf(foreign)).toBe(3);
    await admin.deleteTopics({ topics: [foreign] });
  });

  it('exits 1 naming the variable on bad configuration', async () => {
    const empty = await cli([], { ...env, KAFKA_BROKERS: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/KAFKA_BROKERS: must be a comma-separated list/);
    const wait = await cli([], { ...env, SYNC_WAIT_SECONDS: 'abc' });
    expect(wait.code).toBe(1);
    expect(wait.stderr).toMatch(/SYNC_WAIT_SECONDS: must be a whole number, got 'abc'/);
  });

  it('exits 1 on an unknown flag', async () => {
    const r = await cli(['--force'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown argument '--force'");
  });

  it('gives up on an unreachable broker after SYNC_WAIT_SECONDS with a clear message', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await cli([], { ...env, KAFKA_BROKERS: `127.0.0.1:${port}`, SYNC_WAIT_SECONDS: '2' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`waiting for Kafka broker at 127.0.0.1:${port}`);
    expect(r.stderr).toContain(
      `synchronizer: gave up waiting for Kafka broker at 127.0.0.1:${port} after 2s (SYNC_WAIT_SECONDS)`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // 2 s of waiting plus starting tsx; a retry loop that ignored the budget would take far longer.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
