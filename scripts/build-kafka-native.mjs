// Root postinstall: builds the native binding of @confluentinc/kafka-javascript from the librdkafka source the
// package ships, linked against the system's zlib, OpenSSL, SASL, zstd, lz4 and curl. The package's own install
// script (node-pre-gyp) first downloads a prebuilt binary from GitHub and builds only if that fails, and its
// fallback build links statically against libraries it downloads as well; neither works without that network,
// so pnpm does not run it (pnpm-workspace.yaml) and this script builds the way that works everywhere.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fromRuntime = createRequire(join(root, 'packages/runtime/package.json'));
const packageDir = dirname(fromRuntime.resolve('@confluentinc/kafka-javascript/package.json'));
const binary = join(packageDir, 'build/Release/confluent-kafka-javascript.node');

/** A binding that exists but does not load (another Node ABI, a missing shared library) is built again. */
const loads = () =>
  existsSync(binary) &&
  spawnSync(process.execPath, ['-e', `require(${JSON.stringify(binary)})`], { stdio: 'ignore' }).status === 0;

if (loads()) {
  process.stdout.write('kafka-native: librdkafka binding up to date\n');
  process.exit(0);
}

// node-gyp would download Node's headers; the running Node's own prefix has them (Debian: /usr/include/node).
const prefix = resolve(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include/node/node.h')) ? [`--nodedir=${prefix}`] : [];
const nodeGyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
mkdirSync(join(root, '.cache'), { recursive: true });
const logPath = join(root, '.cache/kafka-native-build.log');
const log = openSync(logPath, 'w');
process.stdout.write('kafka-native: building librdkafka and its binding from source (a few minutes):');
const t0 = Date.now();
// No --jobs: the binding's make rules do not order the librdkafka configure step before what needs it (a
// parallel make fails); librdkafka's own make, the bulk of the time, runs in parallel anyway.
const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...nodedir], {
  cwd: packageDir,
  stdio: ['ignore', log, log],
  env: { ...process.env, CKJS_LINKING: 'dynamic', BUILD_LIBRDKAFKA: '1' },
});
if (build.status !== 0 || !loads()) {
  const tail = readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n');
  process.stderr.write(
    `\n${tail}\nkafka-native: the build failed (full log: .cache/kafka-native-build.log). It needs a C/C++ ` +
      'toolchain, make, python3 and the development packages the README lists under Prerequisites ' +
      '(Debian: zlib1g-dev libssl-dev libsasl2-dev libzstd-dev liblz4-dev libcurl4-openssl-dev).\n',
  );
  process.exit(1);
}
process.stdout.write(` done (${((Date.now() - t0) / 1000).toFixed(0)}s)\n`);
