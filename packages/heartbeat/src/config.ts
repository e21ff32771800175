import { type ConfigOf, envVar, integer, oneOf, port, text } from '@open-bank/config';
import { kafkaClientConfigSpec } from '@open-bank/runtime';
import { kafkaConfigSpec } from '@open-bank/topology';

/** Bounds of the rate, for the env vars and the control API alike. */
export const BATCH_SIZE = { min: 0, max: 100_000 } as const;
export const INTERVAL_MS = { min: 10, max: 60_000 } as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
  httpHost: envVar('HTTP_HOST', text({ max: 255 }), { default: '0.0.0.0' }),
  httpPort: envVar('HEARTBEAT_PORT', port(), {
    default: '17888',
    description: 'control API (GET/PUT /state), /metrics and /health',
  }),
  logLevel: envVar('LOG_LEVEL', oneOf(LOG_LEVELS), { default: 'info' }),
};

export type HeartbeatConfig = ConfigOf<typeof heartbeatConfigSpec>;
