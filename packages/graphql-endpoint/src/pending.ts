import { AnswerTimeoutError, ShuttingDownError } from './errors.ts';

interface Waiter<T> {
  resolve(answer: T): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests waiting for the answer to a command they sent, by command id. Several requests may wait for
 * the same id (a client repeating itself); one answer resolves them all. A waiter that hears nothing
 * within the timeout fails with AnswerTimeoutError, so no request hangs on a lost answer.
 */
export class PendingAnswers<T> {
  private readonly waiters = new Map<string, Set<Waiter<T>>>();
  private closed = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onSizeChange: (size: number) => void = () => {},
  ) {}

  /**
   * Registers a waiter for `id`, then runs `send`: registering first means an answer that arrives before
   * `send` returns is not missed. A failed send withdraws the waiter and rethrows.
   */
  async request(id: string, send: () => Promise<void>): Promise<T> {
    if (this.closed) throw new ShuttingDownError();
    let waiter!: Waiter<T>;
    const answer = new Promise<T>((resolve, reject) => {
      waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(id, waiter);
          reject(new AnswerTimeoutError(id, this.timeoutMs));
        }, this.timeoutMs),
      };
    });
    // The time-out may fire while `send` is still in flight, before anyone awaits `answer`.
    answer.catch(() => undefined);
    let set = this.waiters.get(id);
    if (!set) {
      set = new Set();
      this.waiters.set(id, set);
    }
    set.add(waiter);
    this.onSizeChange(this.waiters.size);
    try {
      await send();
    } catch (e) {
      clearTimeout(waiter.timer);
      this.remove(id, waiter);
      throw e;
    }
    return answer;
  }

  /** Whether anyone here waits for `id`: answers to other processes' commands are not ours to handle. */
  has(id: string): boolean {
    return this.waiters.has(id);
  }

  /** Answers every waiter of `id`; false when nobody waited. */
  resolve(id: string, answer: T): boolean {
    const set = this.waiters.get(id);
    if (!set) return false;
    this.waiters.delete(id);
    for (const w of set) {
      clearTimeout(w.timer);
      w.resolve(answer);
    }
    this.onSizeChange(this.waiters.size);
    return true;
  }

  get size(): number {
    return this.waiters.size;
  }

  /** Fails every waiter with ShuttingDownError and refuses new requests. */
  close(): void {
    this.closed = true;
    for (const set of this.waiters.values()) {
      for (const w of set) {
        clearTimeout(w.timer);
        w.reject(new ShuttingDownError());
      }
    }
    this.waiters.clear();
    this.onSizeChange(0);
  }

  private remove(id: string, waiter: Waiter<T>): void {
    const set = this.waiters.get(id);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiters.delete(id);
    this.onSizeChange(this.waiters.size);
  }
}
