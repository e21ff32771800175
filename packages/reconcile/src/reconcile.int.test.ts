import { execFile } from 'node:child_process';
import { readTopic, repoRoot, waitFor } from '@open-bank/runtime/testing';
import { type BalanceChanged, producerDefaults } from '@open-bank/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingKinds } from './check.ts';
import { BALANCE_DB } from './config.ts';
import { connectDb } from './db.ts';
import { dbTarget, reconcile } from './reconcile.ts';
import { setLoad, startTestBank, type TestBank } from './testing/index.ts';

let bank: TestBank;

beforeAll(async () => {
  bank = await startTestBank('reconcile');
  // A short real load: 50 beats/s through the command generator, then none, so the bank comes to rest.
  await setLoad(bank, 5);
  const counted = await waitFor(
    async () => {
      const events = await readTopic(bank.kafka, bank.scratch.topology.balanceChanged.name);
      return events.length >= 200 ? events.length : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 2_000, what: '200 BalanceChanged events under load' },
  );
  expect(counted).toBeGreaterThanOrEqual(200);
  await setLoad(bank, 0);
}, 400_000);

afterAll(async () => {
  await bank?.stop();
});

function found(result: Awaited<ReturnType<typeof reconcile>>) {
  return findingKinds.filter((k) => result.report.findings[k].count > 0);
}

/** `pnpm reconcile` as a user runs it, in the bank's environment. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'packages/reconcile/src/main.ts', ...args],
      { cwd: repoRoot(), env: { ...process.env, ...bank.env }, timeout: 300_000, maxBuffer: 10_000_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('pnpm reconcile against the real bank', () => {
  it('passes a clean run after the load, saying it waited for the services', async () => {
    const run = await runCli([]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /waited [\d.]+ s: the command handler and the GraphQL endpoint had consumed everything/,
    );
    expect(run.stdout).toContain('reconciled: no findings');
    expect(run.code).toBe(0);
    const events = Number(/BalanceChanged: (\d+) events/.exec(run.stdout)?.[1]);
    expect(events).toBeGreaterThanOrEqual(200);
  }, 400_000);

  it('finds a balance changed by one cent in balancedb, naming the IBAN', async () => {
    const db = await connectDb(dbTarget(bank.config, BALANCE_DB));
    try {
      const { rows } = await db.query<{ iban: string }>(
        "SELECT iban FROM balance WHERE iban <> 'NL66OPEN0000000000' ORDER BY iban LIMIT 1",
      );
      const iban = rows[0]?.iban as string;
      await db.query('UPDATE balance SET amount = amount + 1 WHERE iban = $1', [iban]);
      try {
        const result = await reconcile(bank.config);
        expect(found(result)).toEqual(['balanceDiffers']);
        expect(result.report.findings.balanceDiffers.examples[0]).toContain(iban);
        expect(result.report.ok).toBe(false);
      } finally {
        await db.query('UPDATE balance SET amount = amount - 1 WHERE iban = $1', [iban]);
      }
    } finally {
      await db.end();
    }
    expect((await reconcile(bank.config)).report.ok).toBe(true);
  }, 400_000);

  it('finds a duplicated answer, and exits 1 naming it', async () => {
    const answers = await readTopic(bank.kafka, bank.scratch.topology.moneyTransferConfirmed.name);
    const copy = answers.at(-1);
    if (!copy) throw new Error('no MoneyTransferConfirmed to duplicate');
    const producer = bank.kafka.producer(producerDefaults);
    await producer.connect();
    await producer.send({
      topic: bank.scratch.topology.moneyTransferConfirmed.name,
      acks: -1,
      messages: [{ key: copy.key, value: copy.value, partition: copy.partition }],
    });
    await producer.disconnect();
    const run = await runCli([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FINDING tooManyAnswers: 1 × more answers than messages carrying the id/);
    expect(run.stdout).toContain('NOT reconciled');
  }, 400_000);

  it('finds a forged BalanceChanged appended to an IBAN chain, although it follows the chain', async () => {
    const topic = bank.scratch.topology.balanceChanged;
    const events = await readTopic(bank.kafka, topic.name);
    const last = events.at(-1);
    if (!last) throw new Error('no BalanceChanged');
    const e = await bank.scratch.codec.decode('balanceChanged', last.value);
    const forged: BalanceChanged = {
      ...e,
      new_balance: e.new_balance + 10_000n,
      changed_by: 10_000n,
      from_to: 'cash',
      description: 'forged',
    };
    const producer = bank.kafka.producer(producerDefaults);
    await producer.connect();
    await producer.send({
      topic: topic.name,
      acks: -1,
      messages: [
        {
          key: e.iban,
          value: bank.scratch.codec.encode('balanceChanged', forged),
          partition: last.partition,
        },
      ],
    });
    await producer.disconnect();
    const result = await reconcile(bank.config);
    expect(found(result)).toEqual(['tooManyAnswers', 'balanceDiffers', 'moneyNotConserved']);
    expect(result.report.findings.balanceDiffers.examples[0]).toContain(e.iban);
    expect(result.report.findings.moneyNotConserved.examples[0]).toContain('difference 10000');
  }, 400_000);
});
