export { BATCH_SIZE, type HeartbeatConfig, heartbeatConfigSpec, INTERVAL_MS } from './config.ts';
export { parseRateChange } from './control.ts';
export { HeartbeatError, InvalidRateError, SendFailedError } from './errors.ts';
export {
  type HeartbeatDeps,
  MAX_BEATS_PER_REQUEST,
  type RunningHeartbeat,
  startHeartbeat,
} from './service.ts';
export {
  DEFAULT_MAX_CARRIED_OVER,
  type HeartbeatState,
  HeartbeatTicker,
  type Rate,
  realTimer,
  type SendBeats,
  type Timer,
} from './ticker.ts';
