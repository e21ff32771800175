/** Base of every error the topology package throws; consumers decide retry vs dead-letter from `retryable`. */
export class TopologyError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

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

export class InvalidUuidError extends TopologyError {
  constructor(value: string) {
    super('INVALID_UUID', `'${value}' is not a UUID`);
  }
}
