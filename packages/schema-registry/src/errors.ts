import { OpenBankError } from '@open-bank/contract';

type ApiErrorCode =
  | 'HTTP_BAD_REQUEST'
  | 'HTTP_METHOD_NOT_ALLOWED'
  | 'HTTP_NOT_FOUND'
  | 'HTTP_UNSUPPORTED_MEDIA_TYPE'
  | 'INCOMPATIBLE_SCHEMA'
  | 'INTERNAL'
  | 'INVALID_COMPATIBILITY_LEVEL'
  | 'INVALID_SCHEMA'
  | 'INVALID_VERSION'
  | 'SCHEMA_NOT_FOUND'
  | 'STORE_ERROR'
  | 'SUBJECT_COMPATIBILITY_NOT_CONFIGURED'
  | 'SUBJECT_NOT_FOUND'
  | 'SUBJECT_NOT_SOFT_DELETED'
  | 'SUBJECT_SOFT_DELETED'
  | 'VERSION_NOT_FOUND'
  | 'VERSION_NOT_SOFT_DELETED'
  | 'VERSION_SOFT_DELETED';
type RegistryErrorCode = ApiErrorCode | 'STORAGE_TOPIC_INVALID' | 'STORE_FAILED' | 'ALREADY_STARTED';

/** Base of the registry's errors; an ApiError's code names Confluent's error it stands for. */
export class SchemaRegistryError extends OpenBankError<RegistryErrorCode> {}

/**
 * A failure that the REST API reports to its caller, carrying Confluent's HTTP status and numeric
 * error code so clients written against Confluent's registry see the same answers.
 */
export class ApiError extends SchemaRegistryError {
  readonly status: number;
  readonly errorCode: number;
  constructor(code: ApiErrorCode, status: number, errorCode: number, message: string, retryable = false) {
    super(code, message, { retryable });
    this.status = status;
    this.errorCode = errorCode;
  }
}

/** The storage topic exists but cannot hold the registry's state (wrong partition count or cleanup policy). */
export class StorageTopicError extends SchemaRegistryError {
  constructor(message: string) {
    super('STORAGE_TOPIC_INVALID', message);
  }
}

/** Reading or writing the storage topic failed; the broker may come back, so a retry can succeed. */
export class StoreError extends SchemaRegistryError {
  constructor(message: string, cause?: unknown) {
    super('STORE_FAILED', message, { retryable: true, cause });
  }
}

/** Schema text that is not a valid Avro schema. */
export class InvalidSchemaError extends SchemaRegistryError {
  constructor(message: string) {
    super('INVALID_SCHEMA', message);
  }
}

// Confluent's error codes (io.confluent.kafka.schemaregistry.rest.exceptions.Errors) and messages.
export const apiErrors = {
  subjectNotFound: (subject: string) =>
    new ApiError('SUBJECT_NOT_FOUND', 404, 40401, `Subject '${subject}' not found.`),
  versionNotFound: (version: number | string) =>
    new ApiError('VERSION_NOT_FOUND', 404, 40402, `Version ${version} not found.`),
  schemaNotFound: (id?: number) =>
    new ApiError(
      'SCHEMA_NOT_FOUND',
      404,
      40403,
      id === undefined ? 'Schema not found' : `Schema ${id} not found`,
    ),
  subjectSoftDeleted: (subject: string) =>
    new ApiError(
      'SUBJECT_SOFT_DELETED',
      404,
      40404,
      `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`,
    ),
  subjectNotSoftDeleted: (subject: string) =>
    new ApiError(
      'SUBJECT_NOT_SOFT_DELETED',
      404,
      40405,
      `Subject '${subject}' was not deleted first before being permanently deleted`,
    ),
  versionSoftDeleted: (subject: string, version: number) =>
    new ApiError(
      'VERSION_SOFT_DELETED',
      404,
      40406,
      `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (subject: string, version: number) =>
    new ApiError(
      'VERSION_NOT_SOFT_DELETED',
      404,
      40407,
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    ),
  subjectCompatibilityNotConfigured: (subject: string) =>
    new ApiError(
      'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
      404,
      40408,
      `Subject '${subject}' does not have subject-level compatibility configured`,
    ),
  incompatibleSchema: (message: string) => new ApiError('INCOMPATIBLE_SCHEMA', 409, 409, message),
  invalidSchema: (message: string) => new ApiError('INVALID_SCHEMA', 422, 42201, message),
  invalidVersion: (version: string) =>
    new ApiError(
      'INVALID_VERSION',
      422,
      42202,
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibilityLevel: () =>
    new ApiError(
      'INVALID_COMPATIBILITY_LEVEL',
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  store: (message: string) => new ApiError('STORE_ERROR', 500, 50001, message, true),
  // The plain HTTP errors of the REST framework Confluent uses: the status doubles as error code.
  notFound: () => new ApiError('HTTP_NOT_FOUND', 404, 404, 'HTTP 404 Not Found'),
  methodNotAllowed: () => new ApiError('HTTP_METHOD_NOT_ALLOWED', 405, 405, 'HTTP 405 Method Not Allowed'),
  unsupportedMediaType: () =>
    new ApiError('HTTP_UNSUPPORTED_MEDIA_TYPE', 415, 415, 'HTTP 415 Unsupported Media Type'),
  badRequest: (message: string) => new ApiError('HTTP_BAD_REQUEST', 400, 400, message),
} as const;
