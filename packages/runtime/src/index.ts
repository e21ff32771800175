export {
  type Batch,
  ConsumerLoop,
  type ConsumerLoopOptions,
  type Incoming,
  type Outgoing,
} from './consumer-loop.ts';
export { errorCode, isRetryable, RuntimeError } from './errors.ts';
export { GroupCommit } from './group-commit.ts';
export { IMPORTER_GLOBAL, importModule } from './import-module.ts';
export { createKafkaClient } from './kafka/client.ts';
export { kafkaClientConfigSpec } from './kafka/config.ts';
export { FENCED, KafkaClientError } from './kafka/errors.ts';
export {
  type Assignment,
  type ClusterMetadata,
  type ConsumedBatch,
  type ConsumedMessage,
  type ConsumerOptions,
  KAFKA_CLIENTS,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaClientName,
  type KafkaConnectionConfig,
  type KafkaConsumer,
  type KafkaProducer,
  type KafkaTransaction,
  type NewTopic,
  type PartitionOffsets,
  type ProducerOptions,
  type ProducerRecord,
  type ReadToEndOptions,
  type TopicPartitionOffset,
  type TransactionalProducer,
  type TransactionalProducerOptions,
} from './kafka/types.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, LATENCY_BUCKETS, type ServiceMetrics } from './metrics.ts';
export {
  type Health,
  type HealthState,
  type OpsServerOptions,
  opsRoutes,
  type RouteHandler,
  sendJson,
  startOpsServer,
} from './ops-server.ts';
export {
  createServiceContext,
  type ServiceContext,
  type ServiceContextConfig,
  type ServiceContextOptions,
  ServiceScope,
} from './service-scope.ts';
export { onShutdown } from './shutdown.ts';
export { noteServing, type StartupReport, startupReport } from './startup.ts';
export {
  extendTrace,
  type HopHistogram,
  hopSeconds,
  nowMicros,
  observeHop,
  originHeaders,
  parseTrace,
  stampSent,
  TraceCheckpoint,
} from './trace.ts';
