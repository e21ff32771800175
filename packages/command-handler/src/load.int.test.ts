import { randomInt, randomUUID } from 'node:crypto';
import { type Command, CommandGenerator, secureRandom } from '@open-bank/command-generator';
import type { KafkaClientName } from '@open-bank/runtime';
import {
  readTopic,
  type ServiceProcess,
  spawnService,
  TEST_KAFKA_CLIENTS,
  waitFor,
} from '@open-bank/runtime/testing';
import { type AccountCreationConfirmed, bytesToUuid, COMPANY_IBAN, uuidToBytes } from '@open-bank/topology';
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
} from './testing/index.ts';

// 100 commands/s for 30 s, in ticks of 100 ms, with the command generator's mix (SPEC §4). Beats start
// past the first 20, which only open accounts; every 200th still does.
const RATE_PER_TICK = 10;
const FIRST_BEAT = 20;
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

function spawnHandler(
  scratch: Scratch,
  instance: string,
  client: KafkaClientName,
): { proc: ServiceProcess; health: string } {
  const port = nextPort++;
  const proc = spawnService({
    name: `command-handler-${instance}`,
    entry: 'packages/command-handler/src/main.ts',
    env: handlerEnv(scratch, {
      COMMAND_HANDLER_INSTANCE: instance,
      COMMAND_HANDLER_PORT: String(port),
      KAFKA_CLIENT: client,
    }),
  });
  started.push(proc);
  return { proc, health: `http://127.0.0.1:${port}/health` };
}

interface Faults {
  /** Handler instances in the group. */
  readonly instances?: number;
  /** Tick at which the first instance is SIGKILLed. */
  readonly killAt?: number;
  /** Whether the killed instance comes back under its own name. */
  readonly restart?: boolean;
  /** Tick at which the second instance is stopped gracefully (SIGTERM). */
  readonly stopAt?: number;
  /** The Kafka client every instance runs on. */
  readonly client: KafkaClientName;
}

async function runLoad(label: string, faults: Faults): Promise<void> {
  const { instances = 1, killAt, restart = true, stopAt, client } = faults;
  const scratch = await scratchTopics(label);
  const writer = new CommandWriter(scratch);
  await writer.connect();
  const names = Array.from({ length: instances }, (_, i) => `${label}-${i}-${randomUUID().slice(0, 8)}`);
  try {
    const handlers = names.map((name) => spawnHandler(scratch, name, client));
    await Promise.all(handlers.map((h) => h.proc.waitForHealthy(h.health, 90_000)));

    // Accounts to move money between, each with a salary first as the generator does.
    const sent = new Map<string, number>();
    const send = async (commands: readonly Command[]) => {
      const accounts = commands.flatMap((c) =>
        c.topic === 'confirmAccountCreation' ? [bytesToUuid(c.value.id)] : [],
      );
      const transfers = commands.flatMap((c) =>
        c.topic === 'confirmMoneyTransfer' ? [{ ...c.value, id: bytesToUuid(c.value.id) }] : [],
      );
      if (accounts.length > 0) await writer.accounts(accounts);
      if (transfers.length > 0) await writer.transfers(transfers);
      for (const id of [...accounts, ...transfers.map((t) => t.id)]) sent.set(id, (sent.get(id) ?? 0) + 1);
    };
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
    // The command generator's own rules: it pays each new AUTO account a salary, then draws commands per beat.
    const generator = new CommandGenerator(secureRandom);
    const confirmed = accountIds.map((id): AccountCreationConfirmed => {
      const a = opened.get(id)?.[0];
      if (!a?.iban || !a.token) throw new Error(`account ${id} was not opened`);
      return { id: uuidToBytes(id), iban: a.iban, token: a.token, a_type: 'AUTO' };
    });
    const before = await balancesOf(db, [COMPANY_IBAN]);
    await send(generator.forConfirmedAccounts(confirmed, new Date()));

    const faultsDone: Promise<void>[] = [];
    const t0 = Date.now();
    for (let tick = 0; tick < TICKS; tick++) {
      const first = BigInt(FIRST_BEAT + tick * RATE_PER_TICK);
      const beats = Array.from({ length: RATE_PER_TICK }, (_, i) => first + BigInt(i));
      await send(generator.forBeats(beats, new Date()));
      if (tick === killAt) {
        const victim = (handlers[0] as { proc: ServiceProcess }).proc;
        faultsDone.push(
          (async () => {
            await victim.kill();
            // The service itself must be gone, not just a wrapper around it: two live handlers with one
            // name would not be a crash test.
            expect(() => process.kill(victim.pid, 0)).toThrow();
            if (restart) {
              const back = spawnHandler(scratch, names[0] as string, client);
              await back.proc.waitForHealthy(back.health, 90_000);
            }
          })(),
        );
      }
      if (tick === stopAt)
        faultsDone.push((handlers[1] as { proc: ServiceProcess }).proc.stop().then(() => undefined));
      const wait = t0 + (tick + 1) * 100 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(faultsDone);

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
    const after = await balancesOf(db, [...ibans, ...generator.accounts.all().map((k) => k.iban)]);
    expect(chainProblems(changes, before, after)).toEqual([]);
    expect(changes.size).toBeGreaterThan(ACCOUNTS / 2);
    expect(await readTopic(scratch.kafka, scratch.topology.confirmMoneyTransfer.deadLetter)).toEqual([]);
    const final = await readAnswers(scratch);
    let answerRecords = 0;
    for (const list of final.values()) answerRecords += list.length;
    let events = 0;
    for (const list of changes.values()) events += list.length;
    // The figures the issue notes quote: one line per scenario in the test output.
    console.info(
      `[${label}] ${instances} instance(s) on ${client}: ${sent.size} commands, ${answerRecords} answer records ` +
        `for ${final.size} ids, ${events} BalanceChanged at ${changes.size} IBANs, 0 duplicates, 0 chain breaks`,
    );
  } finally {
    for (const p of started) await p.stop().catch(() => undefined);
    started.length = 0;
    await writer.disconnect();
    await scratch.drop();
  }
}

describe.each(TEST_KAFKA_CLIENTS)('under load on %s', (client) => {
  it('answers every command exactly once and BalanceChanged chains per IBAN up to balancedb', async () => {
    await runLoad(`load-${client}`, { client });
  }, 300_000);

  it('keeps all of that when the handler is SIGKILLed mid-load and restarted with the same instance id', async () => {
    await runLoad(`crash-${client}`, { killAt: 100, client });
  }, 300_000);

  it('keeps all of that, and every IBAN’s events in order, with three instances, one SIGKILLed and one stopped', async () => {
    await runLoad(`three-${client}`, { instances: 3, killAt: 100, restart: false, stopAt: 200, client });
  }, 300_000);
});
