/**
 * Keeps the BalanceChanged of each IBAN in the order balancedb committed them, while batches of several
 * partitions are handled at once.
 *
 * The consumer loop publishes batches in the order their handlers return. Returning right after COMMIT is
 * not enough: PostgreSQL releases a transaction's row locks before its client has read the COMMIT answer,
 * so a batch waiting on those locks can lock, decide, write and commit before the first batch's process
 * has noticed its own commit (seen under load on a busy machine). Each balance row therefore carries a
 * version, bumped by every update; a handler that committed waits until the handlers of this process that
 * read an older version of one of its accounts have returned, and only then returns itself.
 *
 * The wait cannot deadlock: two committed transactions that share an account were ordered by its lock, and
 * strict two-phase locking gives them the same order on every account they share.
 */
export class PublishOrder {
  private readonly byIban = new Map<string, Set<Ticket>>();

  /** Registers a handler that has locked and read these accounts (IBAN → version read). */
  enter(versions: ReadonlyMap<string, bigint>): Ticket {
    const ticket = new Ticket(versions);
    for (const iban of versions.keys()) {
      let set = this.byIban.get(iban);
      if (!set) {
        set = new Set();
        this.byIban.set(iban, set);
      }
      set.add(ticket);
    }
    return ticket;
  }

  /** Resolves once every registered handler that read an older version of one of the accounts has left. */
  async predecessors(ticket: Ticket): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [iban, version] of ticket.versions) {
      for (const other of this.byIban.get(iban) ?? []) {
        if (other !== ticket && (other.versions.get(iban) as bigint) < version) waits.push(other.left);
      }
    }
    if (waits.length > 0) await Promise.all(waits);
  }

  /**
   * Unregisters a handler, rolled back or done. Waiters resume in a later macrotask, so a handler that returns
   * right after leaving reaches the consumer loop's publish step before any handler it held back.
   */
  leave(ticket: Ticket): void {
    for (const iban of ticket.versions.keys()) {
      const set = this.byIban.get(iban);
      set?.delete(ticket);
      if (set?.size === 0) this.byIban.delete(iban);
    }
    setImmediate(ticket.release);
  }

  /** Handlers registered now, for tests and metrics. */
  get size(): number {
    const all = new Set<Ticket>();
    for (const set of this.byIban.values()) for (const t of set) all.add(t);
    return all.size;
  }
}

export class Ticket {
  readonly left: Promise<void>;
  readonly release: () => void;
  constructor(readonly versions: ReadonlyMap<string, bigint>) {
    let release: () => void = () => undefined;
    this.left = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.release = release;
  }
}
