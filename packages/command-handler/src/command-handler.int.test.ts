import { randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import { createLogger } from '@open-bank/runtime';
import { readTopic, TEST_KAFKA_CLIENTS, waitFor } from '@open-bank/runtime/testing';
import { CASH, COMPANY_IBAN, DeadLetterHeader, newBankIban, newToken } from '@open-bank/topology';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandHandlerConfigSpec } from './config.ts';
import { FailureReason } from './decide.ts';
import { type CommandHandler, startCommandHandler } from './service.ts';
import {
  type Answer,
  balancedb,
  balancesOf,
  CommandWriter,
  handlerEnv,
  readAnswers,
  readBalanceChanges,
  type Scratch,
  scratchTopics,
  type TransferCommand,
} from './testing/index.ts';

let scratch: Scratch;
let writer: CommandWriter;
let handler: CommandHandler;
let db: pg.Pool;
// IBANs the next account creations get, before falling back to random ones: forces a collision on demand.
const forcedIbans: string[] = [];

async function answersFor(ids: readonly string[], count = 1): Promise<Map<string, Answer[]>> {
  return waitFor(
    async () => {
      const all = await readAnswers(scratch);
      return ids.every((id) => (all.get(id)?.length ?? 0) >= count) ? all : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300, what: `answers to ${ids.length} commands` },
  );
}

async function openAccounts(n: number): Promise<{ iban: string; token: string }[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await writer.accounts(ids);
  const answers = await answersFor(ids);
  return ids.map((id) => {
    const a = answers.get(id)?.[0];
    if (a?.topic !== 'accountCreationConfirmed' || !a.iban || !a.token)
      throw new Error(`account ${id} not opened`);
    return { iban: a.iban, token: a.token };
  });
}

function transfer(t: Partial<TransferCommand>): TransferCommand {
  return {
    id: randomUUID(),
    token: CASH,
    amount: 1_000n,
    from: CASH,
    to: 'Albert Heijn BV',
    description: `test ${new Date().toISOString()}`,
    ...t,
  };
}

describe.each(TEST_KAFKA_CLIENTS)('command handler on the real stack, on %s', (client) => {
  beforeAll(async () => {
    scratch = await scratchTopics(`rules-${client}`);
    writer = new CommandWriter(scratch);
    await writer.connect();
    db = balancedb();
    const config = {
      ...parseConfig(
        commandHandlerConfigSpec,
        handlerEnv(scratch, { COMMAND_HANDLER_INSTANCE: `rules-${client}`, KAFKA_CLIENT: client }),
      ),
      port: 0,
    };
    handler = await startCommandHandler(config, {
      logger: createLogger('command-handler', 'warn'),
      generate: { iban: () => forcedIbans.shift() ?? newBankIban(), token: () => newToken() },
    });
  });

  afterAll(async () => {
    await handler?.stop();
    await writer?.disconnect();
    await db?.end();
    await scratch?.drop();
  });

  it('answers /health with 200 once consuming, and serves metrics', async () => {
    expect((await fetch(`${handler.url}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${handler.url}/metrics`)).text();
    expect(metrics).toContain('open_bank_db_transaction_retries_total');
  });

  it('produces each failure reason from a command built to cause it', async () => {
    const [a, b] = await openAccounts(2);
    if (!a || !b) throw new Error('accounts missing');
    const cases: Array<[TransferCommand, string]> = [
      [transfer({ from: 'Albert Heijn BV', to: a.iban }), FailureReason.fromInvalid],
      [transfer({ from: a.iban, to: a.iban, token: a.token }), FailureReason.sameAccount],
      [transfer({ from: a.iban, to: b.iban, token: b.token }), FailureReason.invalidToken],
      [
        transfer({ from: a.iban, to: b.iban, token: a.token, amount: 50_001n }),
        FailureReason.insufficientFunds,
      ],
      [transfer({ from: CASH, to: 'Albert Heijn BV' }), FailureReason.bothUnknown],
    ];
    await writer.transfers(cases.map(([c]) => c));
    const collision = randomUUID();
    forcedIbans.push(COMPANY_IBAN);
    await writer.accounts([collision]);

    const answers = await answersFor([...cases.map(([c]) => c.id), collision]);
    for (const [c, reason] of cases) {
      expect(answers.get(c.id)).toEqual([expect.objectContaining({ topic: 'moneyTransferFailed', reason })]);
    }
    expect(answers.get(collision)).toEqual([
      expect.objectContaining({ topic: 'accountCreationFailed', reason: FailureReason.ibanExists }),
    ]);
    // Nothing moved: both accounts still hold what they were opened with.
    expect(await balancesOf(db, [a.iban, b.iban])).toEqual(
      new Map([
        [a.iban, 0n],
        [b.iban, 0n],
      ]),
    );
  });

  it('answers the same command id twice alike and changes the balance once', async () => {
    const [a] = await openAccounts(1);
    if (!a) throw new Error('account missing');
    const deposit = transfer({ from: CASH, to: a.iban, amount: 2_000n, description: 'deposit twice' });
    await writer.transfers([deposit]);
    await answersFor([deposit.id]);
    await writer.transfers([{ ...deposit, amount: 9_999n, description: 'same id, other content' }]);
    const answers = await answersFor([deposit.id], 2);
    const two = answers.get(deposit.id) ?? [];
    expect(two).toHaveLength(2);
    expect(two[0]?.topic).toBe('moneyTransferConfirmed');
    expect(two[1]?.value.equals(two[0]?.value as Buffer)).toBe(true);
    expect((await balancesOf(db, [a.iban])).get(a.iban)).toBe(2_000n);
    const changes = (await readBalanceChanges(scratch)).get(a.iban) ?? [];
    expect(changes).toEqual([
      { iban: a.iban, new_balance: 2_000n, changed_by: 2_000n, from_to: CASH, description: 'deposit twice' },
    ]);

    // An account creation repeated (as GraphQL does for a returning user) gets the same account.
    const creation = randomUUID();
    await writer.accounts([creation], 'MANUAL');
    await answersFor([creation]);
    await writer.accounts([creation], 'MANUAL');
    const repeated = (await answersFor([creation], 2)).get(creation) ?? [];
    expect(repeated.map((r) => r.topic)).toEqual(['accountCreationConfirmed', 'accountCreationConfirmed']);
    expect(repeated[1]?.value.equals(repeated[0]?.value as Buffer)).toBe(true);
  });

  it('keeps odd text exactly: a NUL character, quotes, backslashes and emoji in description and counter-party', async () => {
    const [a] = await openAccounts(1);
    if (!a) throw new Error('account missing');
    const odd = 'nul\u0000 "quoted" back\\slash 💶 ünï';
    const deposit = transfer({ from: CASH, to: a.iban, amount: 5_000n, description: odd });
    const payment = transfer({
      from: a.iban,
      token: a.token,
      to: `shop${odd}`,
      amount: 1_000n,
      description: odd,
    });
    await writer.transfers([deposit]);
    await answersFor([deposit.id]);
    await writer.transfers([payment]);
    await answersFor([payment.id]);
    // A repeat is answered from what balancedb stored.
    await writer.transfers([payment]);
    const answers = await answersFor([payment.id], 2);
    expect(answers.get(payment.id)?.map((x) => x.topic)).toEqual([
      'moneyTransferConfirmed',
      'moneyTransferConfirmed',
    ]);
    expect((await readBalanceChanges(scratch)).get(a.iban)).toEqual([
      { iban: a.iban, new_balance: 5_000n, changed_by: 5_000n, from_to: CASH, description: odd },
      { iban: a.iban, new_balance: 4_000n, changed_by: -1_000n, from_to: `shop${odd}`, description: odd },
    ]);
    const stored = await db.query<{ events: unknown }>('SELECT events FROM transfer_command WHERE id = $1', [
      payment.id,
    ]);
    expect(JSON.stringify(stored.rows[0]?.events)).toContain('shop');
  });

  it('dead-letters undecodable messages with their origin and keeps answering', async () => {
    const cmt = scratch.topology.confirmMoneyTransfer;
    const valid = transfer({ from: CASH, to: 'nowhere' });
    const good = scratch.codec.encode('confirmMoneyTransfer', {
      ...valid,
      id: Buffer.from(valid.id.replaceAll('-', ''), 'hex'),
    });
    const garbage = [
      Buffer.from('not avro at all'),
      Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), good.subarray(5)]),
      good.subarray(0, 12),
    ];
    await writer.raw(cmt.name, garbage, 4);
    await writer.raw(cmt.name, [good], 4);

    const dead = await waitFor(
      async () => {
        const ms = await readTopic(scratch.kafka, cmt.deadLetter);
        return ms.length >= 3 ? ms : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300, what: 'three dead letters' },
    );
    expect(dead.map((m) => m.value)).toEqual(garbage);
    for (const m of dead) {
      expect(m.headers?.[DeadLetterHeader.topic]?.toString()).toBe(cmt.name);
      expect(m.headers?.[DeadLetterHeader.partition]?.toString()).toBe('4');
      expect(m.headers?.[DeadLetterHeader.offset]).toBeDefined();
      expect(m.headers?.[DeadLetterHeader.error]?.toString().length).toBeGreaterThan(0);
    }
    expect(dead.map((m) => Number(m.headers?.[DeadLetterHeader.offset]?.toString()))).toEqual(
      [0, 1, 2].map((i) => Number(dead[0]?.headers?.[DeadLetterHeader.offset]?.toString()) + i),
    );
    const answers = await answersFor([valid.id]);
    expect(answers.get(valid.id)).toEqual([
      expect.objectContaining({ topic: 'moneyTransferFailed', reason: FailureReason.bothUnknown }),
    ]);
  });
});
