// `pnpm build` (after the frontend) and the Docker image: bundles the named services, or all of them.
import { buildService, SERVICES } from './service-build.ts';

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(SERVICES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`build: unknown service(s) ${unknown.join(', ')} (known: ${SERVICES.join(', ')})\n`);
    process.exit(2);
  }
  const t0 = performance.now();
  const results = await Promise.all((names.length > 0 ? names : SERVICES).map((s) => buildService(s)));
  for (const r of results) {
    process.stdout.write(
      `build: packages/${r.service}/dist/bundle.cjs ${(r.bytes / 1024 / 1024).toFixed(1)} MiB (${Math.round(r.ms)} ms)\n`,
    );
  }
  process.stdout.write(`build: ${results.length} service(s) in ${Math.round(performance.now() - t0)} ms\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`build: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
