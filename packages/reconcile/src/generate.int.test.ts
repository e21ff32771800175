import { randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import { stackEnv } from '@open-bank/stack/testing';
import { createKafka, topicIds } from '@open-bank/topology';
import { createScratchTopics, type ScratchTopics } from '@open-bank/topology/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingKinds } from './check.ts';
import { BALANCE_DB, type ReconcileConfig, reconcileConfigSpec, TRANSACTION_DB } from './config.ts';
import { connectDb } from './db.ts';
import { generateHistory } from './generate.ts';
import { dbTarget, reconcile } from './reconcile.ts';
import { startTestDb, type TestDb } from './testing/index.ts';

let db: TestDb;
let scratch: ScratchTopics;
let config: ReconcileConfig;
const kafka = () => createKafka({ brokers: stackEnv().KAFKA_BROKERS.split(','), clientId: 'generate-test' });

beforeAll(async () => {
  const shared = stackEnv();
  db = await startTestDb('generate');
  scratch = await createScratchTopics(
    kafka(),
    shared.SCHEMA_REGISTRY_URL,
    `_gen_${randomUUID().slice(0, 8)}`,
    topicIds,
  );
  config = parseConfig(reconcileConfigSpec, {
    KAFKA_BROKERS: shared.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: shared.SCHEMA_REGISTRY_URL,
    ...db.env,
    ...scratch.topicEnv,
  });
}, 300_000);

afterAll(async () => {
  await scratch?.drop();
  await db?.stop();
});

describe('the synthetic history generator', () => {
  it('writes a history that reconciles, with every event in transactiondb', async () => {
    const balancedb = await connectDb(dbTarget(config, BALANCE_DB));
    const transactiondb = await connectDb(dbTarget(config, TRANSACTION_DB));
    let written: Awaited<ReturnType<typeof generateHistory>>;
    try {
      written = await generateHistory(
        kafka(),
        scratch.codec,
        scratch.topology,
        { balancedb, transactiondb },
        {
          accounts: 50,
          transfers: 3_000,
          batch: 700,
        },
      );
    } finally {
      await balancedb.end();
      await transactiondb.end();
    }
    expect(written.commands).toBe(3_050);
    // No service consumes these topics: nothing to wait for.
    const result = await reconcile(config, { wait: false });
    expect(findingKinds.filter((k) => result.report.findings[k].count > 0)).toEqual([]);
    expect(result.report.counts.transfers).toBe(3_000);
    expect(result.report.counts.events).toBe(written.events);
    expect(result.report.counts.transactionRows).toBe(written.events);
    expect(result.report.counts.balanceRows).toBe(51);
  }, 300_000);
});
