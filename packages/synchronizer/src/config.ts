import { type ConfigOf, envVar, integer } from '@open-bank/config';
import { kafkaConfigSpec } from '@open-bank/topology';

export const synchronizerConfigSpec = {
  ...kafkaConfigSpec('synchronizer'),
  waitSeconds: envVar('SYNC_WAIT_SECONDS', integer({ min: 0, max: 3600 }), {
    default: '60',
    description: 'how long to wait for the broker and the schema registry before giving up',
  }),
};

export type SynchronizerConfig = ConfigOf<typeof synchronizerConfigSpec>;
