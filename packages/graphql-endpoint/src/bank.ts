import type { AccountResult, MoneyTransferResult } from '@open-bank/contract';
import type { Outgoing } from '@open-bank/runtime';
import { AnswerTimeoutError, ShuttingDownError } from './errors.ts';
import { type Attempt, LoginThrottle, throttledReason } from './login-throttle.ts';
import { PasswordHasher } from './password.ts';
import type { PendingAnswers } from './pending.ts';
import { Semaphore } from './semaphore.ts';
import type { Credentials, MoneyTransferRequest } from './validation.ts';

export const INCORRECT_PASSWORD = 'incorrect password';

export type { AccountResult, MoneyTransferResult };

/** What the command handler answered to a ConfirmAccountCreation. */
export type AccountAnswer =
  | { readonly ok: true; readonly iban: string; readonly token: string }
  | { readonly ok: false; readonly reason: string };

/** What the command handler answered to a ConfirmMoneyTransfer. */
export interface TransferAnswer {
  readonly success: boolean;
  readonly reason: string | null;
}

export interface AccountRecord {
  readonly username: string;
  readonly passwordHash: Buffer;
  readonly salt: Buffer;
  /** Id of the ConfirmAccountCreation for this user; re-sent until an answer is stored. */
  readonly commandId: string;
  readonly iban: string | null;
  readonly token: string | null;
}

/** The part of transactiondb the account and transfer requests use. */
export interface BankStore {
  findAccount(username: string): Promise<AccountRecord | null>;
  /** False when the username exists already (another request was first). */
  insertAccount(account: AccountRecord): Promise<boolean>;
  setAccountNumbers(username: string, commandId: string, iban: string, token: string): Promise<void>;
  /** Swaps a command id that failed for good for a new one, so the next try is a new command. */
  replaceCommandId(username: string, failedId: string, newId: string): Promise<void>;
  transferAnswer(uuid: string): Promise<TransferAnswer | null>;
  saveTransferAnswer(uuid: string, answer: TransferAnswer): Promise<void>;
}

/** Builds the Kafka messages of the two commands (topic, key and encoded value). */
/** Builds a command's record; `receivedAt` (µs since the epoch) starts its trace. */
export interface CommandEncoder {
  confirmAccountCreation(id: string, receivedAt: number): Outgoing;
  confirmMoneyTransfer(request: MoneyTransferRequest, receivedAt: number): Outgoing;
}

export interface Random {
  uuid(): string;
  bytes(size: number): Buffer;
}

export interface BankDeps {
  readonly store: BankStore;
  readonly encoder: CommandEncoder;
  /** The clock of traces: µs since the epoch. */
  readonly clockMicros: () => number;
  readonly send: (message: Outgoing) => Promise<void>;
  readonly accounts: PendingAnswers<AccountAnswer>;
  readonly transfers: PendingAnswers<TransferAnswer>;
  readonly random: Random;
  /** Called with the command kind, the outcome and the seconds from sending to the answer. */
  readonly observe?: (command: 'account' | 'transfer', outcome: string, seconds: number) => void;
  /** Limits failed logins (default: its defaults, on the system clock). */
  readonly throttle?: LoginThrottle;
  /** Bounds concurrent scrypt runs (default: 2). */
  readonly hasher?: PasswordHasher;
  /** Called when a login is refused by the throttle, without any hashing. */
  readonly onThrottled?: (username: string, client: string, retryInMs: number) => void;
}

/** Where a request came from: the client address the per-client limits count by. */
export interface Caller {
  readonly client: string;
}

const UNKNOWN_CALLER: Caller = { client: 'unknown' };

/**
 * The two requests that turn into commands. Both are idempotent: an account is bound to one command id
 * which is re-sent until answered (the command handler answers a known id the same way again), and a
 * transfer's uuid is its command id, with answers kept so a repeated uuid gets the known answer.
 */
export class Bank {
  private readonly throttle: LoginThrottle;
  private readonly hasher: PasswordHasher;

  constructor(private readonly deps: BankDeps) {
    this.throttle = deps.throttle ?? new LoginThrottle(() => Date.now());
    this.hasher = deps.hasher ?? new PasswordHasher(new Semaphore(2), deps.random.bytes);
  }

  async getAccount(credentials: Credentials, caller: Caller = UNKNOWN_CALLER): Promise<AccountResult> {
    const receivedAt = this.deps.clockMicros();
    const { store } = this.deps;
    const { username, password } = credentials;
    let account = await store.findAccount(username);
    // A password hashed just now needs no second, equally slow, check.
    let verified = false;
    if (!account) {
      const { hash, salt } = await this.hasher.hash(password);
      const created: AccountRecord = {
        username,
        passwordHash: hash,
        salt,
        commandId: this.deps.random.uuid(),
        iban: null,
        token: null,
      };
      if (await store.insertAccount(created)) {
        account = created;
        verified = true;
      } else account = await store.findAccount(username);
      if (!account) throw new Error(`account ${JSON.stringify(username)} vanished while being created`);
    }
    if (!verified) {
      // Checked before any hashing: a throttled guess costs no scrypt run.
      const decision = this.throttle.begin(username, caller.client);
      if (!decision.allowed) {
        this.deps.onThrottled?.(username, caller.client, decision.retryInMs);
        return { iban: null, token: null, reason: throttledReason(decision.retryInMs) };
      }
      if (!(await this.checkPassword(account, password, decision.attempt))) {
        return { iban: null, token: null, reason: INCORRECT_PASSWORD };
      }
    }
    if (account.iban !== null && account.token !== null) {
      return { iban: account.iban, token: account.token, reason: null };
    }
    const commandId = account.commandId;
    const answer = await this.ask('account', this.deps.accounts, commandId, () =>
      this.deps.encoder.confirmAccountCreation(commandId, receivedAt),
    );
    if (answer instanceof Error) return { iban: null, token: null, reason: answer.message };
    if (answer.ok) {
      await store.setAccountNumbers(username, commandId, answer.iban, answer.token);
      return { iban: answer.iban, token: answer.token, reason: null };
    }
    await store.replaceCommandId(username, commandId, this.deps.random.uuid());
    return { iban: null, token: null, reason: answer.reason };
  }

  async moneyTransfer(request: MoneyTransferRequest): Promise<MoneyTransferResult> {
    const receivedAt = this.deps.clockMicros();
    const { store } = this.deps;
    const known = await store.transferAnswer(request.uuid);
    if (known) return { uuid: request.uuid, ...known };
    const answer = await this.ask('transfer', this.deps.transfers, request.uuid, () =>
      this.deps.encoder.confirmMoneyTransfer(request, receivedAt),
    );
    if (answer instanceof Error) {
      return { uuid: request.uuid, success: false, reason: answer.message };
    }
    await store.saveTransferAnswer(request.uuid, answer);
    return { uuid: request.uuid, ...answer };
  }

  private async checkPassword(account: AccountRecord, password: string, attempt: Attempt): Promise<boolean> {
    let matches = false;
    try {
      matches = await this.hasher.verify(password, { hash: account.passwordHash, salt: account.salt });
    } finally {
      if (matches) attempt.succeeded();
      else attempt.failed();
    }
    return matches;
  }

  private async ask<T>(
    command: 'account' | 'transfer',
    pending: PendingAnswers<T>,
    id: string,
    message: () => Outgoing,
  ): Promise<T | AnswerTimeoutError | ShuttingDownError> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const answer = await pending.request(id, () => this.deps.send(message()));
      this.deps.observe?.(command, 'answered', seconds());
      return answer;
    } catch (e) {
      // Both leave the command possibly on its way: the client may ask again with the same request.
      if (e instanceof AnswerTimeoutError || e instanceof ShuttingDownError) {
        this.deps.observe?.(command, e instanceof AnswerTimeoutError ? 'timeout' : 'shutdown', seconds());
        return e;
      }
      this.deps.observe?.(command, 'error', seconds());
      throw e;
    }
  }
}
