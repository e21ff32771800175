export {
  type Batch,
  ConsumerLoop,
  type ConsumerLoopOptions,
  type Incoming,
  type Outgoing,
  TRANSACTIONAL_RETRY,
  toTopicMessages,
} from './consumer-loop.ts';
export { errorCode, isRetryable, RuntimeError } from './errors.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, LATENCY_BUCKETS, type ServiceMetrics } from './metrics.ts';
export {
  type Health,
  type HealthState,
  type OpsServerOptions,
  type RouteHandler,
  sendJson,
  startOpsServer,
} from './ops-server.ts';
export { onShutdown } from './shutdown.ts';
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
