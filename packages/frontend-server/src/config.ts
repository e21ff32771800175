import { type ConfigOf, envVar, httpUrl, opsConfigSpec, text } from '@open-bank/config';

export const SERVICE = 'frontend';

/** Everything the frontend server reads from its environment. */
export const frontendServerConfigSpec = {
  ...opsConfigSpec('FRONTEND_PORT', '8181', 'the app, /graphql and /health'),
  graphqlUrl: envVar('GRAPHQL_URL', httpUrl(), {
    default: 'http://127.0.0.1:8888',
    description: 'the GraphQL endpoint that /graphql (HTTP and WebSocket) is passed to',
  }),
  staticDir: envVar('STATIC_DIR', text({ min: 0, max: 4096 }), {
    default: '',
    description: "the built frontend (empty: this repository's packages/frontend/dist)",
  }),
};

export type FrontendServerConfig = ConfigOf<typeof frontendServerConfigSpec>;
