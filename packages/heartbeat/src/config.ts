import { type ConfigOf, envVar, integer, opsConfigSpec } from '@open-bank/config';
import { kafkaClientConfigSpec } from '@open-bank/runtime';
import { kafkaConfigSpec } from '@open-bank/topology';

/** Bounds of the rate, for the env vars and the control API alike. */
export const BATCH_SIZE = { min: 0, max: 100_000 } as const;
export const INTERVAL_MS = { min: 10, max: 60_000 } as const;

export const heartbeatConfigSpec = {
  ...kafkaConfigSpec('heartbeat'),
  ...kafkaClientConfigSpec,
  batchSize: envVar('HEARTBEAT_BATCH_SIZE', integer(BATCH_SIZE), {
    default: '0',
    description: 'beats sent every interval at start; 0 keeps the heartbeat idle',
  }),
  intervalMs: envVar('HEARTBEAT_INTERVAL_MS', integer(INTERVAL_MS), {
    default: '100',
    description: 'milliseconds between two sends at start',
  }),
  ...opsConfigSpec('HEARTBEAT_PORT', '17888', 'control API (GET/PUT /state), /metrics and /health'),
};

export type HeartbeatConfig = ConfigOf<typeof heartbeatConfigSpec>;
