import { createMetrics, LATENCY_BUCKETS, type ServiceMetrics } from '@open-bank/runtime';
import { Counter, Gauge, Histogram } from 'prom-client';

export interface EndpointMetrics extends ServiceMetrics {
  readonly transactionsStored: Counter<string>;
  readonly subscriptions: Gauge<string>;
  readonly webSockets: Gauge<string>;
  readonly pendingAnswers: Gauge<'command'>;
  /** Seconds from sending a command to its answer (or giving up), by command and outcome. */
  readonly answerSeconds: Histogram<'command' | 'outcome'>;
  readonly droppedEvents: Counter<string>;
  /** Requests and connections the edge's protections turned away, by why. */
  readonly refused: Counter<'reason'>;
}

/** The `reason` label values of open_bank_graphql_refused_total. */
export type RefusalReason = 'origin' | 'sockets' | 'subscriptions' | 'pending' | 'login_throttled' | 'idle';

export function createEndpointMetrics(service: string): EndpointMetrics {
  const base = createMetrics(service);
  const registers = [base.registry];
  return {
    ...base,
    transactionsStored: new Counter({
      name: 'open_bank_transactions_stored_total',
      help: 'balance_changed messages this instance stored as new rows (re-deliveries and rows stored by another instance not counted)',
      registers,
    }),
    subscriptions: new Gauge({
      name: 'open_bank_graphql_transaction_subscriptions',
      help: 'Open stream_transactions subscriptions',
      registers,
    }),
    webSockets: new Gauge({
      name: 'open_bank_graphql_websockets',
      help: 'Open GraphQL WebSocket connections',
      registers,
    }),
    pendingAnswers: new Gauge({
      name: 'open_bank_graphql_pending_answers',
      help: 'Commands sent and still waiting for their answer, by command',
      labelNames: ['command'],
      registers,
    }),
    answerSeconds: new Histogram({
      name: 'open_bank_graphql_answer_seconds',
      help: 'Time from sending a command to its answer, by command and outcome',
      labelNames: ['command', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    droppedEvents: new Counter({
      name: 'open_bank_graphql_dropped_events_total',
      help: 'Transactions not delivered to a subscriber that fell too far behind',
      registers,
    }),
    refused: new Counter({
      name: 'open_bank_graphql_refused_total',
      help: 'Requests and connections refused by a protection (foreign origin, a limit, the login throttle)',
      labelNames: ['reason'],
      registers,
    }),
  };
}
