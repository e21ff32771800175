import { OpenBankError } from '@open-bank/contract';

/** Base of every error the heartbeat throws. */
export class HeartbeatError extends OpenBankError<'INVALID_RATE' | 'SEND_FAILED'> {}

/** A rate change through the control API that cannot be applied; the message tells the caller why. */
export class InvalidRateError extends HeartbeatError {
  constructor(message: string) {
    super('INVALID_RATE', message);
  }
}

/** A send failed after Kafka had acknowledged its first `sent` beats; the rest are still due. */
export class SendFailedError extends HeartbeatError {
  readonly sent: number;
  constructor(sent: number, cause: unknown) {
    super(
      'SEND_FAILED',
      `sending beats failed after ${sent}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        retryable: true,
        cause,
      },
    );
    this.sent = sent;
  }
}
