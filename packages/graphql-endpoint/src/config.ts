import { type ConfigOf, envVar, integer, oneOf, port, text } from '@open-bank/config';
import { kafkaConfigSpec } from '@open-bank/topology';

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
};

export type GraphqlEndpointConfig = ConfigOf<typeof graphqlEndpointConfigSpec>;
