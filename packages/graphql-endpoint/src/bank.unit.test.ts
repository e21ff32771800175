import { randomBytes, randomUUID } from 'node:crypto';
import type { Outgoing } from '@open-bank/runtime';
import { describe, expect, it } from 'vitest';
import {
  type AccountAnswer,
  type AccountRecord,
  Bank,
  type BankStore,
  INCORRECT_PASSWORD,
  type TransferAnswer,
} from './bank.ts';
import { LoginThrottle } from './login-throttle.ts';
import { PasswordHasher } from './password.ts';
import { PendingAnswers } from './pending.ts';
import { Semaphore } from './semaphore.ts';
import type { MoneyTransferRequest } from './validation.ts';

class MemoryStore implements BankStore {
  readonly accounts = new Map<string, AccountRecord>();
  readonly transfers = new Map<string, TransferAnswer>();
  async findAccount(username: string) {
    return this.accounts.get(username) ?? null;
  }
  async insertAccount(a: AccountRecord) {
    if (this.accounts.has(a.username)) return false;
    this.accounts.set(a.username, a);
    return true;
  }
  async setAccountNumbers(username: string, commandId: string, iban: string, token: string) {
    const a = this.accounts.get(username);
    if (a && a.commandId === commandId) this.accounts.set(username, { ...a, iban, token });
  }
  async replaceCommandId(username: string, failedId: string, newId: string) {
    const a = this.accounts.get(username);
    if (a && a.commandId === failedId) this.accounts.set(username, { ...a, commandId: newId });
  }
  async transferAnswer(uuid: string) {
    return this.transfers.get(uuid) ?? null;
  }
  async saveTransferAnswer(uuid: string, answer: TransferAnswer) {
    if (!this.transfers.has(uuid)) this.transfers.set(uuid, answer);
  }
}

/** Plays the command handler: answers each command by id, the same way for a repeated id. */
function setup(
  options: {
    timeoutMs?: number;
    answerAccount?: (id: string) => AccountAnswer | null;
    answerTransfer?: (value: { id: string; amount: bigint }) => TransferAnswer | null;
    throttle?: LoginThrottle;
    hasher?: PasswordHasher;
  } = {},
) {
  const store = new MemoryStore();
  const accounts = new PendingAnswers<AccountAnswer>(options.timeoutMs ?? 30_000);
  const transfers = new PendingAnswers<TransferAnswer>(options.timeoutMs ?? 30_000);
  const sent: Outgoing[] = [];
  const observed: string[] = [];
  let accountNumber = 0;
  const issued = new Map<string, AccountAnswer>();
  const answerAccount =
    options.answerAccount ??
    ((id: string) => {
      let a = issued.get(id);
      if (!a) {
        accountNumber++;
        a = {
          ok: true,
          iban: `NL00OPEN000000000${accountNumber}`,
          token: String(accountNumber).padStart(20, '0'),
        };
        issued.set(id, a);
      }
      return a;
    });
  const answerTransfer = options.answerTransfer ?? (() => ({ success: true, reason: null }));
  const bank = new Bank({
    ...(options.throttle ? { throttle: options.throttle } : {}),
    ...(options.hasher ? { hasher: options.hasher } : {}),
    store,
    accounts,
    transfers,
    random: { uuid: randomUUID, bytes: randomBytes },
    clockMicros: () => 1_000_000,
    observe: (command, outcome) => observed.push(`${command}:${outcome}`),
    encoder: {
      confirmAccountCreation: (id) => ({ topic: 'cac', key: id, value: Buffer.from(id) }),
      confirmMoneyTransfer: (r) => ({ topic: 'cmt', key: r.uuid, value: Buffer.from(String(r.amount)) }),
    },
    send: async (m) => {
      sent.push(m);
      const id = m.key as string;
      // Answers come back asynchronously, as from Kafka.
      setTimeout(() => {
        if (m.topic === 'cac') {
          const a = answerAccount(id);
          if (a) accounts.resolve(id, a);
        } else {
          const a = answerTransfer({ id, amount: BigInt(String(m.value)) });
          if (a) transfers.resolve(id, a);
        }
      }, 1);
    },
  });
  return { bank, store, sent, observed };
}

const transfer = (over: Partial<MoneyTransferRequest> = {}): MoneyTransferRequest => ({
  uuid: randomUUID(),
  token: 'cash',
  amount: 1000n,
  from: 'cash',
  to: 'NL66OPEN0000000000',
  description: 'deposit',
  ...over,
});

describe('Bank.getAccount', () => {
  it('throttles guesses at an account without hashing, and lets the owner in from elsewhere', async () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(() => now);
    const slots = new Semaphore(2);
    const hasher = new PasswordHasher(slots);
    const { bank } = setup({ throttle, hasher });
    const owner = { client: '192.0.2.1' };
    const attacker = { client: '198.51.100.9' };
    const account = await bank.getAccount({ username: 'erin', password: 'erins-pw' }, owner);
    const reasons: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      reasons.push((await bank.getAccount({ username: 'erin', password: `guess-${i}` }, attacker)).reason);
    }
    expect(reasons).toEqual([
      INCORRECT_PASSWORD,
      INCORRECT_PASSWORD,
      INCORRECT_PASSWORD,
      'too many attempts, try again in 1 s',
      'too many attempts, try again in 1 s',
    ]);
    // A throttled guess never reached scrypt: the account's hash plus three checks ran, nothing more.
    expect(slots.total).toBe(4);
    expect(await bank.getAccount({ username: 'erin', password: 'erins-pw' }, owner)).toEqual(account);
    now += 1_000;
    expect((await bank.getAccount({ username: 'erin', password: 'guess-5' }, attacker)).reason).toBe(
      INCORRECT_PASSWORD,
    );
    expect((await bank.getAccount({ username: 'erin', password: 'guess-6' }, attacker)).reason).toBe(
      'too many attempts, try again in 2 s',
    );
  });

  it('opens a MANUAL account on first use and answers the same account for the same credentials', async () => {
    const { bank, store, sent } = setup();
    const first = await bank.getAccount({ username: 'anna', password: 'secret-1' });
    expect(first.reason).toBeNull();
    expect(first.iban).toMatch(/^NL00OPEN/);
    expect(sent).toHaveLength(1);
    const stored = store.accounts.get('anna');
    expect(stored?.passwordHash.toString('utf8')).not.toContain('secret-1');
    expect(stored?.iban).toBe(first.iban);
    const again = await bank.getAccount({ username: 'anna', password: 'secret-1' });
    expect(again).toEqual(first);
    // Answered from the stored account, no second command.
    expect(sent).toHaveLength(1);
  });

  it('answers incorrect password for a wrong password and sends nothing', async () => {
    const { bank, sent } = setup();
    await bank.getAccount({ username: 'bob', password: 'right-pw' });
    const wrong = await bank.getAccount({ username: 'bob', password: 'wrong-pw' });
    expect(wrong).toEqual({ iban: null, token: null, reason: INCORRECT_PASSWORD });
    expect(sent).toHaveLength(1);
  });

  it('re-sends the same command id when an earlier request got no answer in time', async () => {
    let answering = false;
    const { bank, sent, observed } = setup({
      timeoutMs: 50,
      answerAccount: () =>
        answering ? { ok: true, iban: 'NL66OPEN0000000001', token: '1'.repeat(20) } : null,
    });
    const late = await bank.getAccount({ username: 'carl', password: 'pw-12345' });
    expect(late.reason).toMatch(/no answer from the bank within 50 ms/);
    expect(observed).toEqual(['account:timeout']);
    answering = true;
    const ok = await bank.getAccount({ username: 'carl', password: 'pw-12345' });
    expect(ok.iban).toBe('NL66OPEN0000000001');
    expect(sent.map((m) => m.key)).toEqual([sent[0]?.key, sent[0]?.key]);
  });

  it('gives the reason of a failed creation and uses a new command id for the next try', async () => {
    let fail = true;
    const { bank, sent, store } = setup({
      answerAccount: () =>
        fail
          ? { ok: false, reason: 'generated iban already exists, try again' }
          : { ok: true, iban: 'NL66OPEN0000000002', token: '2'.repeat(20) },
    });
    const failed = await bank.getAccount({ username: 'dora', password: 'pw-12345' });
    expect(failed).toEqual({ iban: null, token: null, reason: 'generated iban already exists, try again' });
    fail = false;
    const ok = await bank.getAccount({ username: 'dora', password: 'pw-12345' });
    expect(ok.iban).toBe('NL66OPEN0000000002');
    expect(sent[0]?.key).not.toBe(sent[1]?.key);
    expect(store.accounts.get('dora')?.commandId).toBe(sent[1]?.key);
  });

  it('lets concurrent first uses of one username end up with one account', async () => {
    const { bank, store } = setup();
    // Which of several concurrent first uses stores its password first depends on the hashing threads, so the
    // concurrent calls share a password; a different password is tried once the account exists.
    const results = await Promise.all([
      bank.getAccount({ username: 'eve', password: 'pw-12345' }),
      bank.getAccount({ username: 'eve', password: 'pw-12345' }),
      bank.getAccount({ username: 'eve', password: 'pw-12345' }),
    ]);
    expect(results[0]?.iban).toBeTruthy();
    expect(results.map((r) => r.iban)).toEqual([results[0]?.iban, results[0]?.iban, results[0]?.iban]);
    expect(store.accounts.size).toBe(1);
    expect((await bank.getAccount({ username: 'eve', password: 'other-pw' })).reason).toBe(
      INCORRECT_PASSWORD,
    );
  });
});

describe('Bank.moneyTransfer', () => {
  it('answers success and remembers the answer, so a repeated uuid is not sent again', async () => {
    const { bank, sent } = setup();
    const t = transfer();
    expect(await bank.moneyTransfer(t)).toEqual({ uuid: t.uuid, success: true, reason: null });
    expect(await bank.moneyTransfer(t)).toEqual({ uuid: t.uuid, success: true, reason: null });
    expect(sent).toHaveLength(1);
  });

  it('answers the reason of a failed transfer, also when repeated', async () => {
    const { bank } = setup({ answerTransfer: () => ({ success: false, reason: 'insufficient funds' }) });
    const t = transfer({ amount: 5n });
    const expected = { uuid: t.uuid, success: false, reason: 'insufficient funds' };
    expect(await bank.moneyTransfer(t)).toEqual(expected);
    expect(await bank.moneyTransfer(t)).toEqual(expected);
  });

  it('answers a clear reason on timeout and does not store it as the answer', async () => {
    let answering = false;
    const { bank, store, sent } = setup({
      timeoutMs: 50,
      answerTransfer: () => (answering ? { success: true, reason: null } : null),
    });
    const t = transfer();
    const late = await bank.moneyTransfer(t);
    expect(late.success).toBe(false);
    expect(late.reason).toMatch(/no answer from the bank/);
    expect(store.transfers.has(t.uuid)).toBe(false);
    answering = true;
    expect((await bank.moneyTransfer(t)).success).toBe(true);
    expect(sent.map((m) => m.key)).toEqual([t.uuid, t.uuid]);
  });

  it('propagates a failed send as an error, not as an answer', async () => {
    const { bank, store } = setup();
    const broken = new Bank({
      ...(bank as unknown as { deps: ConstructorParameters<typeof Bank>[0] }).deps,
      send: async () => {
        throw new Error('broker unreachable');
      },
    });
    const t = transfer();
    await expect(broken.moneyTransfer(t)).rejects.toThrow('broker unreachable');
    expect(store.transfers.size).toBe(0);
  });
});
