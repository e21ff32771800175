import { ConfigError, parseConfig } from '@open-bank/config';
import { describe, expect, it } from 'vitest';
import { commandHandlerConfigSpec } from './config.ts';

describe('command handler config', () => {
  it('has the documented defaults', () => {
    const c = parseConfig(commandHandlerConfigSpec, {});
    expect(c).toMatchObject({
      brokers: ['localhost:9092'],
      clientId: 'command-handler',
      dbHostname: 'localhost',
      dbPort: 5432,
      dbPassword: 'open-bank',
      port: 17890,
      httpHost: '0.0.0.0',
      logLevel: 'info',
      instance: '0',
      concurrency: 10,
      confirmMoneyTransfer: 'confirm_money_transfer',
    });
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      parseConfig(commandHandlerConfigSpec, {
        DB_PORT: 'abc',
        COMMAND_HANDLER_CONCURRENCY: '0',
        COMMAND_HANDLER_INSTANCE: 'a b',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const v of ['DB_PORT', 'COMMAND_HANDLER_CONCURRENCY', 'COMMAND_HANDLER_INSTANCE'])
      expect(message).toContain(v);
  });
});
