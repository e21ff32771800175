import { ConfigError, parseConfig } from '@open-bank/config';
import { describe, expect, it } from 'vitest';
import { heartbeatConfigSpec } from './config.ts';

describe('heartbeatConfigSpec', () => {
  it('defaults to an idle heartbeat every 100 ms on port 17888', () => {
    const config = parseConfig(heartbeatConfigSpec, {});
    expect(config).toMatchObject({
      batchSize: 0,
      intervalMs: 100,
      httpHost: '0.0.0.0',
      port: 17888,
      logLevel: 'info',
      clientId: 'heartbeat',
      heartbeat: 'heartbeat',
    });
  });

  it('reads the initial rate from the environment and refuses bad values by name', () => {
    expect(
      parseConfig(heartbeatConfigSpec, { HEARTBEAT_BATCH_SIZE: '25', HEARTBEAT_INTERVAL_MS: '20' }),
    ).toMatchObject({ batchSize: 25, intervalMs: 20 });
    expect(() => parseConfig(heartbeatConfigSpec, { HEARTBEAT_BATCH_SIZE: '-3' })).toThrow(ConfigError);
    expect(() => parseConfig(heartbeatConfigSpec, { HEARTBEAT_INTERVAL_MS: '5' })).toThrow(
      /HEARTBEAT_INTERVAL_MS/,
    );
  });
});
