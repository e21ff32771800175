import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { dbConfigSpec, opsConfigSpec } from './fragments.ts';

describe('opsConfigSpec', () => {
  it("reads the service's own port variable beside the shared HTTP_HOST and LOG_LEVEL", () => {
    const spec = opsConfigSpec('PINGER_PORT', '1234', 'pings');
    expect(parseConfig(spec, {})).toEqual({ httpHost: '0.0.0.0', port: 1234, logLevel: 'info' });
    expect(parseConfig(spec, { PINGER_PORT: '99', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'silent' })).toEqual({
      httpHost: '127.0.0.1',
      port: 99,
      logLevel: 'silent',
    });
    expect(() => parseConfig(spec, { LOG_LEVEL: 'loud' })).toThrow(
      /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/,
    );
    expect(() => parseConfig(spec, { PINGER_PORT: '0' })).toThrow(ConfigError);
  });
});

describe('dbConfigSpec', () => {
  it('defaults to the local server and refuses an over-long password', () => {
    expect(parseConfig(dbConfigSpec('the role'), {})).toEqual({
      dbHostname: 'localhost',
      dbPort: 5432,
      dbPassword: 'open-bank',
    });
    expect(() => parseConfig(dbConfigSpec('the role'), { DB_PASSWORD: 'x'.repeat(201) })).toThrow(
      /DB_PASSWORD/,
    );
  });
});
