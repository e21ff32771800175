export { avroOptions, avroType, schemaText } from './avro.ts';
export {
  ACCOUNT_LIMIT,
  CASH,
  COMPANY_IBAN,
  COMPANY_START_BALANCE,
  COMPANY_TOKEN,
  isBankIban,
  isValidIban,
  newBankIban,
  newToken,
  secureDigit,
} from './bank.ts';
export { awaitLeaders, createKafka, type KafkaConnection, producerDefaults, sendOptions } from './clients.ts';
export { Codec, createRegistry, type Decoded, type OutgoingRecord } from './codec.ts';
export { type KafkaConfig, kafkaConfigSpec, topologyOf } from './config.ts';
export {
  DecodeError,
  EncodeError,
  InvalidUuidError,
  RegistryRequestError,
  RegistryUnavailableError,
  SchemaNotRegisteredError,
  TopologyError,
} from './errors.ts';
export { isRegistryNotFound, RegistryClient, type SchemaLookup } from './registry.ts';
export * from './schemas.ts';
export { localDateTime } from './time.ts';
export {
  DEAD_LETTER_CONFIGS,
  DEAD_LETTER_PARTITIONS,
  DEAD_LETTER_SUFFIX,
  DeadLetterHeader,
  KEPT_FOREVER,
  type KeyRule,
  keyFor,
  OUTBOX_POSITION_TOPIC,
  plannedTopics,
  type RecordOf,
  type ResolvedTopic,
  resolveTopology,
  type TopicId,
  type TopicPlan,
  type Topology,
  topicIds,
  topicSpecs,
} from './topics.ts';
export { bytesToUuid, isUuid, uuidToBytes } from './uuid.ts';
