import type { Outgoing } from '@open-bank/runtime';

interface Queued {
  readonly message: Outgoing;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers the commands of concurrent requests into one Kafka send: while a send is in flight, new messages
 * queue up and go together in the next one. A lone request is sent at once (no linger), a burst costs one
 * round trip per batch instead of one per request.
 */
export class SendBatcher {
  private queue: Queued[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly sendBatch: (messages: Outgoing[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  send(message: Outgoing): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (!this.draining) {
        this.draining = this.drain().finally(() => {
          this.draining = null;
        });
      }
    });
  }

  /** Resolves once everything queued so far has been sent (or failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // Let the requests of the current tick join the first batch.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      this.queue = this.queue.slice(batch.length);
      try {
        await this.sendBatch(batch.map((q) => q.message));
        for (const q of batch) q.resolve();
      } catch (e) {
        for (const q of batch) q.reject(e);
      }
    }
  }
}
