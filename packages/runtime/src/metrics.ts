import { HOP_METRIC } from '@open-bank/contract';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Handling latency from 100 µs to 15 s: a fast batch and a stuck database both land in a real bucket. */
export const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15,
];

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Messages handled, by topic and outcome (ok, dead-lettered, failed, ...). */
  readonly handled: Counter<'topic' | 'outcome'>;
  /** Seconds from taking a batch to having its results acknowledged, per message. */
  readonly handlingSeconds: Histogram<'topic'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  /** One command's trace, hop by hop (names in @open-bank/contract's HOPS). */
  readonly hops: Histogram<'hop'>;
  /** Kafka transactions tried again after a retryable error, by error type. */
  readonly kafkaTransactionRetries: Counter<'error'>;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    handled: new Counter({
      name: 'open_bank_messages_handled_total',
      help: 'Kafka messages handled, by topic and outcome',
      labelNames: ['topic', 'outcome'],
      registers: [registry],
    }),
    handlingSeconds: new Histogram({
      name: 'open_bank_handling_seconds',
      help: 'Time from receiving a message to having its results acknowledged',
      labelNames: ['topic'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'open_bank_consumer_lag',
      help: 'Messages behind the high watermark, per partition',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    hops: new Histogram({
      name: HOP_METRIC,
      help: 'Seconds one command spent on each hop of its trace, observed where the hop ends',
      labelNames: ['hop'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    kafkaTransactionRetries: new Counter({
      name: 'open_bank_kafka_transaction_retries_total',
      help: 'Kafka transactions run again after a retryable error, by error type',
      labelNames: ['error'],
      registers: [registry],
    }),
  };
}
