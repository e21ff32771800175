import type { Logger } from 'pino';

/**
 * Runs the given steps once, in order, on SIGTERM or SIGINT, then exits. A step that hangs cannot keep the
 * process alive forever: after `timeoutMs` it exits non-zero, since an orchestrator would kill it anyway.
 */
export function onShutdown(logger: Logger, steps: Array<() => Promise<unknown>>, timeoutMs = 15_000): void {
  let started = false;
  const run = async (signal: string) => {
    if (started) return;
    started = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long, exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    let code = 0;
    for (const step of steps) {
      try {
        await step();
      } catch (e) {
        code = 1;
        logger.error({ err: e }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    logger.flush?.();
    process.exit(code);
  };
  process.once('SIGTERM', () => void run('SIGTERM'));
  process.once('SIGINT', () => void run('SIGINT'));
}
