export { type FrontendServerConfig, frontendServerConfigSpec, SERVICE } from './config.ts';
export { FrontendServerError, ListenError } from './errors.ts';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security-headers.ts';
export {
  type FrontendServer,
  type FrontendServerOptions,
  GRAPHQL_PATH,
  startFrontendServer,
} from './server.ts';
