/**
 * The hops of one command's trace, in the order a command passes them. Each service observes
 * `open_bank_hop_seconds{hop}` for the hops that end in it, from the previous checkpoint of the trace to
 * its own. Hops in `HOP_PATH` follow each other without overlap, so their medians stack up to the round
 * trip; the others time a part of one of them (or a side branch) for detail.
 */
export const HOP_PATH = [
  /** Request received by the endpoint (or heartbeat taken by the generator) → command handed to Kafka. */
  'command_sent',
  /** Command handed to Kafka → fetched by the command handler: produce, replication, fetch wait. */
  'command_fetched',
  /** Fetched → the balancedb transaction that decided it committed. */
  'balancedb_committed',
  /** balancedb committed → the outbox relay sends its answer and events in a Kafka transaction. */
  'outbox_relayed',
  /** Relay sent → BalanceChanged consumed by the endpoint: transaction commit, markers, fetch. */
  'event_consumed',
  /** Consumed → stored in transactiondb. */
  'transactiondb_stored',
  /** Stored → pushed to the matching subscriptions. */
  'subscription_pushed',
] as const;

export const HOP_DETAIL = [
  /** Command handed to Kafka → acknowledged by the broker (part of command_fetched). */
  'command_acked',
  /** Relay sent → its Kafka transaction committed (part of event_consumed). */
  'kafka_committed',
  /** Relay sent → the answer consumed by the endpoint (beside event_consumed). */
  'answer_consumed',
  /** Request received by the endpoint → its BalanceChanged pushed: the whole server-side round trip. */
  'total',
] as const;

export type PathHop = (typeof HOP_PATH)[number];
export type Hop = PathHop | (typeof HOP_DETAIL)[number];

export const HOPS: readonly Hop[] = [...HOP_PATH, ...HOP_DETAIL];

/** The histogram every service records hops in. */
export const HOP_METRIC = 'open_bank_hop_seconds';

/** Kafka header carrying a command's trace: comma-separated checkpoint times, µs since the epoch. */
export const TRACE_HEADER = 'ob-trace';

/** What the page measures itself, read by the benchmark from `window.__openBankTimings`. */
export const PAGE_TIMING_GLOBAL = '__openBankTimings';
