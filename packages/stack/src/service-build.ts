import { join } from 'node:path';
import { buildService, serviceStaleReason } from '@open-bank/build';
import { PartFailedError } from './errors.ts';
import { withFileLock } from './file-lock.ts';

export interface ServiceBuildOptions {
  /** Folder under packages/, e.g. heartbeat. */
  readonly service: string;
  readonly root: string;
  readonly log: (message: string) => void;
}

/**
 * Bundles the service into its dist/ when that is missing or older than any file it is made from: a
 * changed source never runs as stale JavaScript. The lock is per service and shared by every profile
 * (they run the same dist); the check alone takes a few milliseconds.
 */
export async function ensureServiceBuilt(options: ServiceBuildOptions): Promise<void> {
  const { service, root } = options;
  if (serviceStaleReason(service, root) === null) return;
  await withFileLock(join(root, '.stack', `build-${service}.lock`), `${service} build`, 120_000, async () => {
    const reason = serviceStaleReason(service, root);
    if (reason === null) return;
    try {
      const r = await buildService(service, root);
      options.log(`${service}: built dist/main.js in ${Math.round(r.ms)} ms (${reason})`);
    } catch (e) {
      throw new PartFailedError(service, `building ${service} failed: ${(e as Error).message}`);
    }
  });
}
