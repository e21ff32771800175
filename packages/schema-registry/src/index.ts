export { type Api, type ApiRequest, type ApiResponse, createApi, type Persist } from './api.ts';
export {
  type AvroType,
  compatibilityProblems,
  type ParsedSchema,
  type PreviousVersion,
  parseAvroSchema,
  resolutionError,
} from './avro.ts';
export { type SchemaRegistryConfig, schemaRegistryConfigSpec } from './config.ts';
export {
  ApiError,
  apiErrors,
  InvalidSchemaError,
  SchemaRegistryError,
  StorageTopicError,
  StoreError,
} from './errors.ts';
export { parseBody, RESPONSE_CONTENT_TYPE } from './http.ts';
export { KafkaStore, type KafkaStoreOptions, type LoadStats } from './kafka-store.ts';
export type { Logger } from './logger.ts';
export {
  COMPATIBILITY_LEVELS,
  type CompatibilityLevel,
  decodeRecord,
  encodeRecord,
  type LogRecord,
  parseCompatibilityLevel,
} from './records.ts';
export { createSchemaRegistry, type SchemaRegistry, type SchemaRegistryOptions } from './registry.ts';
export { matchRoute, type RouteMatch, type RouteName } from './router.ts';
export { RegistryState, type VersionEntry, type VersionFilter } from './state.ts';
