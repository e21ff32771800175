export type { AccountResult, MoneyTransferResult } from './bank.ts';
export { type GraphqlEndpointConfig, graphqlEndpointConfigSpec } from './config.ts';
export {
  AnswerTimeoutError,
  BadInputError,
  GraphqlEndpointError,
  ShuttingDownError,
} from './errors.ts';
export { formatEuro } from './euro.ts';
export { createEndpointMetrics, type EndpointMetrics } from './metrics.ts';
export { typeDefs } from './schema.ts';
export { GRAPHQL_PATH, QueryLimits } from './server.ts';
export {
  type EndpointDeps,
  type GraphqlEndpoint,
  groupIds,
  groupInstanceId,
  SERVICE,
  startGraphqlEndpoint,
} from './service.ts';
export { DB_NAME, DB_USER } from './store.ts';
export { Limits } from './validation.ts';
