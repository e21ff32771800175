import {
  boolean,
  type ConfigOf,
  dbConfigSpec,
  envVar,
  httpUrl,
  instanceVar,
  integer,
  namedUrlList,
  opsConfigSpec,
  type Parser,
} from '@open-bank/config';
import { kafkaClientConfigSpec } from '@open-bank/runtime';
import { kafkaConfigSpec } from '@open-bank/topology';
import { parseNetworks, parseOrigins } from './origins.ts';

/** An http(s) URL, or nothing when empty. */
function optionalUrl(): Parser<string | undefined> {
  const url = httpUrl();
  return (raw) => (raw.trim() === '' ? undefined : url(raw.trim()));
}

/** Everything the GraphQL endpoint reads from its environment (user and database are fixed). */
export const graphqlEndpointConfigSpec = {
  ...kafkaConfigSpec('graphql-endpoint'),
  ...kafkaClientConfigSpec,
  ...dbConfigSpec('password of the graphql_endpoint role on transactiondb'),
  ...opsConfigSpec(
    'GRAPHQL_PORT',
    '8888',
    'GraphQL (HTTP and WebSocket at /graphql), /health, /metrics and the optional frontend',
  ),
  instance: instanceVar(
    'GRAPHQL_ENDPOINT_INSTANCE',
    'name of this instance, kept across its restarts and unique among the live instances of one KAFKA_CLIENT_ID: its static group member id in both consumer groups (a second live instance under the same name fences the first)',
  ),
  answerTimeoutMs: envVar('ANSWER_TIMEOUT_MS', integer({ min: 100, max: 600_000 }), {
    default: '10000',
    description: 'how long get_account and money_transfer wait for the command handler',
  }),
  liveMetricsTargets: envVar('LIVE_METRICS_TARGETS', namedUrlList(), {
    default: '',
    description: 'name=url pairs of the /metrics the live_metrics subscription scrapes (none: no services)',
  }),
  liveMetricsIntervalMs: envVar('LIVE_METRICS_INTERVAL_MS', integer({ min: 500, max: 60_000 }), {
    default: '2000',
    description: 'how often live_metrics scrapes its targets while anyone subscribes',
  }),
  liveHeartbeatUrl: envVar('LIVE_HEARTBEAT_URL', optionalUrl(), {
    default: '',
    description: "base URL of the heartbeat's control API, for the rate live_metrics shows",
  }),
  liveHeartbeatControl: envVar('LIVE_HEARTBEAT_CONTROL', boolean(), {
    default: 'false',
    description: 'lets set_heartbeat_rate change the load: local demos only, never a public deployment',
  }),
  graphiql: envVar('GRAPHIQL', boolean(), {
    default: 'false',
    description: 'GraphiQL at GET /graphql (from bundled assets), with the example operations',
  }),
  allowedOrigins: envVar('ALLOWED_ORIGINS', parseOrigins, {
    default: '',
    description: 'browser origins allowed besides the same origin (comma-separated, no wildcards)',
  }),
  trustedProxies: envVar('TRUSTED_PROXIES', parseNetworks, {
    default: '',
    description: 'addresses or networks (CIDR) whose X-Forwarded-For names the client',
  }),
  introspection: envVar('GRAPHQL_INTROSPECTION', boolean(), {
    default: 'true',
    description: 'answer __schema and __type queries (off in the compose deployment)',
  }),
  loginFreeFailures: envVar('LOGIN_FREE_FAILURES', integer({ min: 1, max: 1000 }), {
    default: '3',
    description: 'failed get_account tries per username and client before the back-off starts',
  }),
  loginFailuresPerMinute: envVar('LOGIN_FAILURES_PER_MINUTE', integer({ min: 1, max: 100_000 }), {
    default: '20',
    description: 'failed get_account tries per client address in any minute',
  }),
  loginMaxDelayMs: envVar('LOGIN_MAX_DELAY_MS', integer({ min: 1_000, max: 3_600_000 }), {
    default: '60000',
    description: 'the longest back-off after failed tries',
  }),
  hashConcurrency: envVar('PASSWORD_HASH_CONCURRENCY', integer({ min: 1, max: 64 }), {
    default: '2',
    description: 'scrypt hashes running at once (the rest wait)',
  }),
  wsMaxPerClient: envVar('WS_MAX_PER_CLIENT', integer({ min: 1, max: 100_000 }), {
    default: '32',
    description: 'open WebSockets per client address',
  }),
  wsMaxSubscriptions: envVar('WS_MAX_SUBSCRIPTIONS', integer({ min: 1, max: 10_000 }), {
    default: '20',
    description: 'subscriptions per WebSocket (and per client address over server-sent events)',
  }),
  wsMaxPending: envVar('WS_MAX_PENDING', integer({ min: 1, max: 10_000 }), {
    default: '20',
    description: 'one-shot operations waiting for their answer per WebSocket (and per client over SSE)',
  }),
  wsIdleTimeoutMs: envVar('WS_IDLE_TIMEOUT_MS', integer({ min: 1_000, max: 86_400_000 }), {
    default: '120000',
    description: 'a WebSocket that sends nothing (not even a ping) for this long is closed',
  }),
  wsInitTimeoutMs: envVar('WS_INIT_TIMEOUT_MS', integer({ min: 100, max: 600_000 }), {
    default: '10000',
    description: 'time for a new WebSocket to send connection_init',
  }),
};

export type GraphqlEndpointConfig = ConfigOf<typeof graphqlEndpointConfigSpec>;
