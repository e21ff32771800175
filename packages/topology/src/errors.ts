import { OpenBankError } from '@open-bank/contract';

/** Base of every error the topology package throws; DECODE_FAILED travels on dead-letter headers. */
export class TopologyError extends OpenBankError<
  | 'DECODE_FAILED'
  | 'ENCODE_FAILED'
  | 'NOT_PREPARED'
  | 'REGISTRY_UNAVAILABLE'
  | 'REGISTRY_REQUEST_FAILED'
  | 'INVALID_UUID'
  | 'SCHEMA_NOT_REGISTERED'
> {}

/** The bytes are not a record of the expected type in the Confluent wire format: retrying cannot help. */
export class DecodeError extends TopologyError {
  constructor(message: string, cause?: unknown) {
    super('DECODE_FAILED', message, { cause });
  }
}

/** A value does not fit its schema: a programming error on the producing side. */
export class EncodeError extends TopologyError {
  constructor(message: string, cause?: unknown) {
    super('ENCODE_FAILED', message, { cause });
  }
}

/** Producers never auto-register: the synchronizer must have registered the schema first. */
export class SchemaNotRegisteredError extends TopologyError {
  constructor(subject: string, cause?: unknown) {
    super(
      'SCHEMA_NOT_REGISTERED',
      `Schema for subject '${subject}' is not registered in the schema registry; run the synchronizer (pnpm sync) first`,
      { cause },
    );
  }
}

/** The registry could not be reached or answered with a server error; worth another try. */
export class RegistryUnavailableError extends TopologyError {
  constructor(message: string, cause?: unknown) {
    super('REGISTRY_UNAVAILABLE', message, { retryable: true, cause });
  }
}

/** The registry answered a request with an error, or could not be reached (then, and on a 5xx, retryable). */
export class RegistryRequestError extends TopologyError {
  /** HTTP status, undefined when no answer came. */
  readonly status: number | undefined;
  /** Confluent's `error_code` from the answer body, e.g. 40401 subject not found. */
  readonly errorCode: number | undefined;
  constructor(
    message: string,
    status: number | undefined,
    options: { errorCode?: number | undefined; cause?: unknown } = {},
  ) {
    super('REGISTRY_REQUEST_FAILED', message, {
      retryable: status === undefined || status >= 500,
      cause: options.cause,
    });
    this.status = status;
    this.errorCode = options.errorCode;
  }
}

export class InvalidUuidError extends TopologyError {
  constructor(value: string) {
    super('INVALID_UUID', `'${value}' is not a UUID`);
  }
}
