import { type ConfigOf, dbConfigSpec, envVar, instanceVar, integer, opsConfigSpec } from '@open-bank/config';
import { kafkaClientConfigSpec } from '@open-bank/runtime';
import { kafkaConfigSpec } from '@open-bank/topology';

export const commandHandlerConfigSpec = {
  ...kafkaConfigSpec('command-handler'),
  ...kafkaClientConfigSpec,
  ...dbConfigSpec('password of the command_handler role on balancedb'),
  dbPoolSize: envVar('DB_POOL_SIZE', integer({ min: 1, max: 100 }), {
    default: '5',
    description:
      'connections to balancedb: transfers take one at a time (their batches share a transaction), account creations another; the outbox relay has a connection of its own besides',
  }),
  ...opsConfigSpec('COMMAND_HANDLER_PORT', '17890', 'port of /metrics and /health'),
  instance: instanceVar(
    'COMMAND_HANDLER_INSTANCE',
    'name of this instance in logs and health, unique among the live instances and kept across its restarts: it is its static group member id (a second live instance under the same name fences the first); every instance runs an outbox relay, one of them publishing at a time',
  ),
  concurrency: envVar('COMMAND_HANDLER_CONCURRENCY', integer({ min: 1, max: 64 }), {
    default: '10',
    description:
      'partitions handed over at the same time (the nine transfer partitions and the account one); transfer batches handed over together share one balancedb transaction',
  }),
};

export type CommandHandlerConfig = ConfigOf<typeof commandHandlerConfigSpec>;

/** The database and role are fixed: balancedb belongs to the command handler alone. */
export const DB_USER = 'command_handler';
export const DB_NAME = 'balancedb';
export const GROUP_ID = 'command-handler';

/** The static group member id (KIP-345) of the instance named `instance`: the same after every restart. */
export const groupInstanceId = (instance: string): string => `${GROUP_ID}-${instance}`;
