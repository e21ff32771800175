import { type ConfigOf, dbConfigSpec, envVar, integer, text } from '@open-bank/config';
import { kafkaConfigSpec } from '@open-bank/topology';

/** What `pnpm reconcile` and `pnpm dlq` read from the environment; the databases' roles are fixed. */
export const reconcileConfigSpec = {
  ...kafkaConfigSpec('reconcile'),
  ...dbConfigSpec('password of the command_handler and graphql_endpoint roles'),
  handlerGroup: envVar('RECONCILE_HANDLER_GROUP', text({ max: 200 }), {
    default: 'command-handler',
    description: "the command handler's consumer group, waited for on the command topics",
  }),
  endpointClientId: envVar('RECONCILE_ENDPOINT_CLIENT_ID', text({ max: 200 }), {
    default: 'graphql-endpoint',
    description:
      'KAFKA_CLIENT_ID of the GraphQL endpoint, whose groups <id>-transactions and <id>-answers are waited for',
  }),
  waitSeconds: envVar('RECONCILE_WAIT_SECONDS', integer({ min: 1, max: 3600 }), {
    default: '120',
    description: 'how long to wait for the services to consume everything before giving up',
  }),
  readTimeoutSeconds: envVar('RECONCILE_READ_TIMEOUT_SECONDS', integer({ min: 10, max: 86_400 }), {
    default: '3600',
    description: 'how long reading the topics may take',
  }),
};

export type ReconcileConfig = ConfigOf<typeof reconcileConfigSpec>;

/** balancedb belongs to the command handler, transactiondb to the GraphQL endpoint: read each as its owner. */
export const BALANCE_DB = { database: 'balancedb', user: 'command_handler' } as const;
export const TRANSACTION_DB = { database: 'transactiondb', user: 'graphql_endpoint' } as const;
