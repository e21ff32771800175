/** What the live_metrics subscription sends: the endpoint computes it, the Live view shows it. */

export interface LiveRate {
  readonly kind: string;
  readonly outcome: string;
  readonly per_second: number;
}

export interface LiveHop {
  readonly hop: string;
  readonly per_second: number;
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
}

export interface LiveLag {
  readonly service: string;
  readonly topic: string;
  readonly lag: number;
}

export interface LiveService {
  readonly name: string;
  readonly up: boolean;
  /** 100 = one core. */
  readonly cpu_percent: number | null;
  readonly memory_mb: number | null;
}

/** The core figures of the running bank over the last scrapes, as the live_metrics subscription sends them. */
export interface LiveFigures {
  readonly at: string;
  readonly window_seconds: number;
  readonly commands_per_second: number;
  readonly commands: readonly LiveRate[];
  readonly generated_per_second: number;
  readonly heartbeats_per_second: number;
  /** What the heartbeat is set to send (batch size per interval), null when its control API is not known. */
  readonly heartbeat_target_per_second: number | null;
  readonly latency_p50_ms: number | null;
  readonly latency_p99_ms: number | null;
  /** Which histogram the latency comes from: the hop `total` once it has observations, else command handling. */
  readonly latency_source: string;
  readonly hops: readonly LiveHop[];
  readonly lag: readonly LiveLag[];
  readonly dead_lettered_per_second: number;
  readonly kafka_transaction_retries_per_second: number;
  readonly db_transaction_retries_per_second: number;
  readonly websockets: number;
  readonly subscriptions: number;
  readonly pending_answers: number;
  readonly services: readonly LiveService[];
  readonly heartbeat_control: boolean;
}
