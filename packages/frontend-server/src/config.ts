import { type ConfigOf, envVar, httpUrl, oneOf, port, text } from '@open-bank/config';

export const SERVICE = 'frontend';

/** Everything the frontend server reads from its environment. */
export const frontendServerConfigSpec = {
  port: envVar('FRONTEND_PORT', port(), { default: '8181', description: 'the app, /graphql and /health' }),
  httpHost: envVar('HTTP_HOST', text({ max: 255 }), { default: '0.0.0.0' }),
  graphqlUrl: envVar('GRAPHQL_URL', httpUrl(), {
    default: 'http://127.0.0.1:8888',
    description: 'the GraphQL endpoint that /graphql (HTTP and WebSocket) is passed to',
  }),
  staticDir: envVar('STATIC_DIR', text({ min: 0, max: 4096 }), {
    default: '',
    description: "the built frontend (empty: this repository's packages/frontend/dist)",
  }),
  logLevel: envVar('LOG_LEVEL', oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), {
    default: 'info',
  }),
};

export type FrontendServerConfig = ConfigOf<typeof frontendServerConfigSpec>;
