import { inject } from 'vitest';
import type { StackEnv } from '../stack-env.ts';

export type { StackEnv } from '../stack-env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: StackEnv;
  }
}

/**
 * Connection settings of the stack the int project's global setup started (profile `test`):
 * KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DB_HOSTNAME, DB_PORT, DB_PASSWORD, DB_ADMIN_USER, DB_ADMIN_PASSWORD.
 */
export function stackEnv(): StackEnv {
  const env = inject('stackEnv');
  if (!env) {
    throw new Error(
      'no stack settings: stackEnv() works in tests of the int project (`pnpm vitest run --project int`), ' +
        'whose global setup starts the stack',
    );
  }
  return env;
}
