import {
  boolean,
  type ConfigOf,
  envVar,
  httpUrl,
  integer,
  namedUrlList,
  oneOf,
  type Parser,
  port,
  text,
} from '@open-bank/config';
import { kafkaConfigSpec } from '@open-bank/topology';

/** An http(s) URL, or nothing when empty. */
function optionalUrl(): Parser<string | undefined> {
  const url = httpUrl();
  return (raw) => (raw.trim() === '' ? undefined : url(raw.trim()));
}

/** Everything the GraphQL endpoint reads from its environment (user and database are fixed). */
export const graphqlEndpointConfigSpec = {
  ...kafkaConfigSpec('graphql-endpoint'),
  dbHostname: envVar('DB_HOSTNAME', text({ max: 255 }), { default: 'localhost' }),
  dbPort: envVar('DB_PORT', port(), { default: '5432' }),
  dbPassword: envVar('DB_PASSWORD', text(), { default: 'open-bank' }),
  port: envVar('GRAPHQL_PORT', port(), {
    default: '8888',
    description: 'GraphQL (HTTP and WebSocket at /graphql), /health, /metrics and the optional frontend',
  }),
  httpHost: envVar('HTTP_HOST', text({ max: 255 }), { default: '0.0.0.0' }),
  logLevel: envVar('LOG_LEVEL', oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), {
    default: 'info',
  }),
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
};

export type GraphqlEndpointConfig = ConfigOf<typeof graphqlEndpointConfigSpec>;
