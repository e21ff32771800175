import { OpenBankError } from '@open-bank/contract';

/** Base of every error the GraphQL endpoint throws; the codes reach clients as GraphQL error codes. */
export class GraphqlEndpointError extends OpenBankError<
  | 'BAD_USER_INPUT'
  | 'ANSWER_TIMEOUT'
  | 'SHUTTING_DOWN'
  | 'METRICS_TEXT'
  | 'HEARTBEAT_CONTROL_OFF'
  | 'HEARTBEAT_CONTROL_FAILED'
> {}

/** A client sent an argument that can never be valid; nothing was stored or produced for it. */
export class BadInputError extends GraphqlEndpointError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super('BAD_USER_INPUT', message);
  }
}

/** No answer to a command arrived in time; the same request may be sent again (it is idempotent). */
export class AnswerTimeoutError extends GraphqlEndpointError {
  constructor(
    readonly commandId: string,
    timeoutMs: number,
  ) {
    super('ANSWER_TIMEOUT', `no answer from the bank within ${timeoutMs} ms; please try again`, {
      retryable: true,
    });
  }
}

/** The endpoint is stopping: requests still waiting are answered with this instead of hanging. */
export class ShuttingDownError extends GraphqlEndpointError {
  constructor() {
    super('SHUTTING_DOWN', 'the service is shutting down; please try again', { retryable: true });
  }
}

/** A /metrics answer that is not Prometheus' text format. */
export class PromTextError extends GraphqlEndpointError {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super('METRICS_TEXT', `metrics text line ${line}: ${message}`);
  }
}

/** Setting the heartbeat's rate is not possible: turned off (LIVE_HEARTBEAT_CONTROL) or the heartbeat refused. */
export class HeartbeatControlError extends GraphqlEndpointError {
  constructor(code: 'HEARTBEAT_CONTROL_OFF' | 'HEARTBEAT_CONTROL_FAILED', message: string) {
    super(code, message, { retryable: code === 'HEARTBEAT_CONTROL_FAILED' });
  }
}
