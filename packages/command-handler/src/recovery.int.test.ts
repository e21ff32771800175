import { randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import { createLogger } from '@open-bank/runtime';
import { waitFor } from '@open-bank/runtime/testing';
import { bytesToUuid, CASH, newBankIban, newToken, producerDefaults, uuidToBytes } from '@open-bank/topology';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandHandlerConfigSpec, GROUP_ID, transactionalIdOf } from './config.ts';
import {
  answerProblems,
  balancedb,
  balancesOf,
  handlerEnv,
  readAnswers,
  readBalanceChanges,
  type Scratch,
  scratchTopics,
} from './int-support.ts';
import { OutputEncoder } from './outputs.ts';
import { recoverUnpublished } from './recovery.ts';
import { startCommandHandler } from './service.ts';
import { CommandStore } from './store.ts';

let scratch: Scratch;
let db: pg.Pool;

beforeAll(async () => {
  scratch = await scratchTopics('recovery');
  db = balancedb();
});

afterAll(async () => {
  await db?.end();
  await scratch?.drop();
});

describe('recovery after a crash between the database commit and the Kafka commit', () => {
  it('publishes the left-behind events first, in commit order, once, and answers every command once', async () => {
    const instance = `recovery-${randomUUID().slice(0, 8)}`;
    const cmt = scratch.topology.confirmMoneyTransfer;
    const iban = newBankIban();
    await db.query('INSERT INTO balance (iban, token, amount, lmt) VALUES ($1, $2, 0, -50000)', [
      iban,
      newToken(),
    ]);
    const deposit = (amount: bigint) => ({
      id: uuidToBytes(randomUUID()),
      token: CASH,
      amount,
      from: CASH,
      to: iban,
      description: `deposit ${amount}`,
    });
    const [t1, t2, t3] = [deposit(1_000n), deposit(2_000n), deposit(4_000n)];
    if (!t1 || !t2 || !t3) throw new Error('unreachable');

    // The crashed run: it read t1 (partition 1) and then t2 (partition 2), committed both to balancedb,
    // and died before publishing. t3 arrives on partition 2 after it.
    const producer = scratch.kafka.producer(producerDefaults);
    await producer.connect();
    const send = (partition: number, value: typeof t1) =>
      producer.send({
        topic: cmt.name,
        acks: -1,
        messages: [{ key: 'k', partition, value: scratch.codec.encode('confirmMoneyTransfer', value) }],
      });
    await send(1, t1);
    await send(2, t2);
    await send(2, t3);
    await producer.disconnect();
    const crashed = new CommandStore(db, { instance, transferTopic: cmt.name });
    await crashed.handleTransfers([{ partition: 1, offset: '0', value: t1 }], new Set());
    await crashed.handleTransfers([{ partition: 2, offset: '0', value: t2 }], new Set());
    expect((await balancesOf(db, [iban])).get(iban)).toBe(3_000n);

    // A recovery whose Kafka transaction went through, but whose process died right after it.
    const encoder = new OutputEncoder(scratch.codec, scratch.topology, () => new Date());
    const deps = {
      kafka: scratch.kafka,
      pool: db,
      encoder,
      logger: createLogger('command-handler', 'silent'),
      commandTopic: cmt.name,
      groupId: GROUP_ID,
      instance,
      transactionalId: transactionalIdOf(instance),
    };
    const recovered = await recoverUnpublished(deps);
    expect(recovered.size).toBe(2);
    expect((await readBalanceChanges(scratch)).get(iban)?.map((e) => e.new_balance)).toEqual([
      1_000n,
      3_000n,
    ]);

    const config = {
      ...parseConfig(commandHandlerConfigSpec, handlerEnv(scratch, { COMMAND_HANDLER_INSTANCE: instance })),
      port: 0,
    };
    const handler = await startCommandHandler(config, {
      logger: createLogger('command-handler', 'warn'),
      cleanupIntervalMs: 300,
    });
    try {
      const answers = await waitFor(
        async () => {
          const all = await readAnswers(scratch);
          return all.size >= 3 ? all : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 300, what: 'three answers' },
      );
      const sent = new Map([t1, t2, t3].map((t) => [bytesToUuid(t.id), 1]));
      expect(answerProblems(sent, answers)).toEqual([]);

      const changes = (await readBalanceChanges(scratch)).get(iban) ?? [];
      expect(changes.map((e) => [e.changed_by, e.new_balance])).toEqual([
        [1_000n, 1_000n],
        [2_000n, 3_000n],
        [4_000n, 7_000n],
      ]);
      expect((await balancesOf(db, [iban])).get(iban)).toBe(7_000n);

      // Once the offsets are committed past them, the batch rows go.
      await waitFor(
        async () =>
          (await db.query('SELECT count(*)::int AS n FROM handled_batch WHERE src_topic = $1', [cmt.name]))
            .rows[0]?.n === 0,
        { timeoutMs: 30_000, what: 'settled handled_batch rows to be deleted' },
      );
    } finally {
      await handler.stop();
    }
    // A later start finds nothing left to recover.
    expect((await recoverUnpublished(deps)).size).toBe(0);
    expect((await readBalanceChanges(scratch)).get(iban)).toHaveLength(3);
  });
});
