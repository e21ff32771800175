// Root postinstall: makes the local stack runnable after `pnpm install` on a fresh clone.
import { boolean, envVar, exitOnStartupError, parseConfig } from '@open-bank/config';
import { StackError } from './errors.ts';
import { checkJavaAndMaven, fetchKafkaLibs } from './kafka-fetch.ts';
import { KAFKA_LIBS, KAFKA_LIBS_MARKER, KAFKA_POM } from './paths.ts';
import { postgresBinaries } from './postgres.ts';

async function main() {
  const config = parseConfig(
    { skipKafka: envVar('OPEN_BANK_SKIP_KAFKA_FETCH', boolean(), { default: 'false' }) },
    process.env,
  );
  const t0 = Date.now();
  // The PostgreSQL binaries come with the npm package; only their library symlinks may need recreating.
  try {
    postgresBinaries();
  } catch {
    // Not fatal here: a platform without binaries can still use an external server (DB_HOSTNAME).
  }
  if (config.skipKafka) {
    process.stdout.write('stack: OPEN_BANK_SKIP_KAFKA_FETCH is set, not fetching the Kafka broker\n');
    return;
  }
  checkJavaAndMaven();
  // One line of progress: the first fetch downloads about 40 MB from Maven Central.
  process.stdout.write('stack: Kafka broker jars (Maven) in .cache/kafka/libs:');
  const result = fetchKafkaLibs({ pom: KAFKA_POM, libsDir: KAFKA_LIBS, marker: KAFKA_LIBS_MARKER });
  process.stdout.write(
    result === 'cached' ? ' up to date\n' : ` fetched (${((Date.now() - t0) / 1000).toFixed(1)}s)\n`,
  );
}

main().catch((e: unknown) => {
  if (!(e instanceof StackError)) exitOnStartupError('stack install', e);
  process.stderr.write(`stack install: ${e.message}\n`);
  process.exit(1);
});
