import { randomInt, randomUUID } from 'node:crypto';
import { readTopic, type ServiceProcess, spawnService, waitFor } from '@open-bank/runtime/testing';
import { CASH, COMPANY_IBAN, COMPANY_TOKEN } from '@open-bank/topology';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerProblems,
  balancedb,
  balancesOf,
  CommandWriter,
  chainProblems,
  handlerEnv,
  readAnswers,
  readBalanceChanges,
  type Scratch,
  scratchTopics,
  type TransferCommand,
} from './int-support.ts';

// 100 commands/s for 30 s, in ticks of 100 ms, with the command generator's mix (SPEC §4).
const RATE_PER_TICK = 10;
const TICKS = 300;
const ACCOUNTS = 20;

let db: pg.Pool;
const started: ServiceProcess[] = [];
let nextPort = 27_000 + randomInt(0, 2_000);

beforeAll(() => {
  db = balancedb();
});

afterAll(async () => {
  for (const p of started) await p.stop().catch(() => undefined);
  await db?.end();
});

function spawnHandler(scratch: Scratch, instance: string): { proc: ServiceProcess; health: string } {
  const port = nextPort++;
  const proc = spawnService({
    name: `command-handler-${instance}`,
    entry: 'packages/command-handler/src/main.ts',
    env: handlerEnv(scratch, { COMMAND_HANDLER_INSTANCE: instance, COMMAND_HANDLER_PORT: String(port) }),
  });
  started.push(proc);
  return { proc, health: `http://127.0.0.1:${port}/health` };
}

interface Known {
  readonly iban: string;
  readonly token: string;
}

/** One command of the command generator's mix: 70 slots, 1 salary, 3 deposit, 10 withdraw, 40 ah pin, 16 transfer. */
function nextCommand(
  beat: number,
  known: readonly Known[],
): { account: string } | { transfer: TransferCommand } {
  if (beat % 200 === 0) return { account: randomUUID() };
  const pick = () => known[randomInt(0, known.length)] as Known;
  const slot = randomInt(0, 70);
  const id = randomUUID();
  const cash = [2000n, 2000n, 2000n, 3000n, 5000n, 5000n, 10000n, 20000n][randomInt(0, 8)] as bigint;
  const stamp = new Date().toISOString();
  if (slot < 1) {
    const to = pick();
    const amount = 220_000n + BigInt(randomInt(0, 50_000));
    return {
      transfer: {
        id,
        token: COMPANY_TOKEN,
        amount,
        from: COMPANY_IBAN,
        to: to.iban,
        description: `salary ${stamp}`,
      },
    };
  }
  if (slot < 4) {
    return {
      transfer: {
        id,
        token: CASH,
        amount: cash,
        from: CASH,
        to: pick().iban,
        description: `deposit ${stamp}`,
      },
    };
  }
  const from = pick();
  const other = 1000n + BigInt(randomInt(0, 10_000));
  if (slot < 14) {
    return {
      transfer: {
        id,
        token: from.token,
        amount: cash,
        from: from.iban,
        to: CASH,
        description: `withdraw ${stamp}`,
      },
    };
  }
  if (slot < 54) {
    return {
      transfer: {
        id,
        token: from.token,
        amount: other,
        from: from.iban,
        to: 'Albert Heijn BV',
        description: `ah pin ${stamp}`,
      },
    };
  }
  return {
    transfer: {
      id,
      token: from.token,
      amount: other,
      from: from.iban,
      to: pick().iban,
      description: `transfer ${stamp}`,
    },
  };
}

async function runLoad(label: string, crashAtTick: number | undefined): Promise<void> {
  const scratch = await scratchTopics(label);
  const writer = new CommandWriter(scratch);
  await writer.connect();
  const instance = `${label}-${randomUUID().slice(0, 8)}`;
  try {
    let handler = spawnHandler(scratch, instance);
    await handler.proc.waitForHealthy(handler.health, 90_000);

    // Accounts to move money between, each with a salary first as the generator does.
    const sent = new Map<string, number>();
    const accountIds = Array.from({ length: ACCOUNTS }, () => randomUUID());
    await writer.accounts(accountIds);
    for (const id of accountIds) sent.set(id, 1);
    const opened = await waitFor(
      async () => {
        const answers = await readAnswers(scratch);
        return accountIds.every((id) => answers.has(id)) ? answers : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300, what: 'accounts to open' },
    );
    const known: Known[] = accountIds.map((id) => {
      const a = opened.get(id)?.[0];
      if (!a?.iban || !a.token) throw new Error(`account ${id} was not opened`);
      return { iban: a.iban, token: a.token };
    });
    const before = await balancesOf(db, [COMPANY_IBAN]);

    let crash: Promise<void> | undefined;
    const t0 = Date.now();
    for (let tick = 0; tick < TICKS; tick++) {
      const accounts: string[] = [];
      const transfers: TransferCommand[] = [];
      for (let i = 0; i < RATE_PER_TICK; i++) {
        const c = nextCommand(tick * RATE_PER_TICK + i + 1, known);
        if ('account' in c) accounts.push(c.account);
        else transfers.push(c.transfer);
      }
      if (accounts.length > 0) await writer.accounts(accounts);
      await writer.transfers(transfers);
      for (const id of [...accounts, ...transfers.map((t) => t.id)]) sent.set(id, (sent.get(id) ?? 0) + 1);
      if (tick === crashAtTick) {
        const victim = handler.proc;
        crash = (async () => {
          await victim.kill();
          // The service itself must be gone, not just a wrapper around it: two live handlers would not
          // be a crash test.
          expect(() => process.kill(victim.pid, 0)).toThrow();
          handler = spawnHandler(scratch, instance);
          await handler.proc.waitForHealthy(handler.health, 90_000);
        })();
      }
      const wait = t0 + (tick + 1) * 100 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await crash;

    const answers = await waitFor(
      async () => {
        const all = await readAnswers(scratch);
        let n = 0;
        for (const id of sent.keys()) if (all.has(id)) n++;
        return n === sent.size ? all : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000, what: `answers to all ${sent.size} commands` },
    );
    // Late duplicates would show up after the last answer: look again once the handler has gone quiet.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(answerProblems(sent, await readAnswers(scratch))).toEqual([]);
    expect(answers.size).toBe(sent.size);

    const changes = await readBalanceChanges(scratch);
    const ibans = [...changes.keys()];
    const after = await balancesOf(db, [...ibans, ...known.map((k) => k.iban)]);
    expect(chainProblems(changes, before, after)).toEqual([]);
    expect(changes.size).toBeGreaterThan(ACCOUNTS / 2);
    expect(await readTopic(scratch.kafka, scratch.topology.confirmMoneyTransfer.deadLetter)).toEqual([]);
  } finally {
    for (const p of started) await p.stop().catch(() => undefined);
    started.length = 0;
    await writer.disconnect();
    await scratch.drop();
  }
}

describe('under load', () => {
  it('answers every command exactly once and BalanceChanged chains per IBAN up to balancedb', async () => {
    await runLoad('load', undefined);
  }, 300_000);

  it('keeps all of that when the handler is SIGKILLed mid-load and restarted with the same instance id', async () => {
    await runLoad('crash', 100);
  }, 300_000);
});
