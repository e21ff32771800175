// `pnpm stack <command>`: the only place of the stack that reads process.env and argv.
import { ConfigError, exitOnStartupError } from '@open-bank/config';
import { StackError, UsageError } from './errors.ts';
import { followLogs } from './follow-logs.ts';
import { buildParts } from './parts.ts';
import { type CliArgs, parseArgs, type StackSettings, stackSettings, USAGE } from './settings.ts';
import { down, type PartStatus, stackContext, status, up, wipeProfile } from './stack.ts';

const out = (s: string) => process.stdout.write(`${s}\n`);
const stamp = () => new Date().toISOString().slice(11, 19);
const log = (message: string) => out(`[${stamp()}] ${message}`);

async function runUp(settings: StackSettings, args: CliArgs) {
  if (args.fresh) {
    await down(settings, { env: process.env, log });
    wipeProfile(settings.profile);
    log(`wiped .stack/${settings.profile}`);
  }
  const result = await up(settings, { env: process.env, log, ...(args.only ? { only: args.only } : {}) });
  out(`\nStack '${settings.profile}' is up (${result.seconds.toFixed(1)}s):`);
  for (const l of result.listening) out(`  ${l.name.padEnd(18)} ${l.url}`);
  out('Connection settings:');
  for (const [k, v] of Object.entries(result.env)) out(`  ${k}=${v}`);
  return result;
}

function printStatus(rows: readonly PartStatus[]) {
  const cell = (s: string, w: number) => s.padEnd(w);
  out(`${cell('PART', 18)}${cell('STATE', 10)}${cell('PID', 9)}${cell('PORTS', 14)}HEALTHY`);
  for (const r of rows) {
    const healthy = r.healthy === undefined ? '-' : r.healthy ? 'yes' : 'no';
    out(
      `${cell(r.name, 18)}${cell(r.state, 10)}${cell(r.pid === undefined ? '-' : String(r.pid), 9)}` +
        `${cell(r.ports.join(',') || '-', 14)}${healthy}${r.note ? `  (${r.note})` : ''}`,
    );
  }
}

async function runStart(settings: StackSettings, args: CliArgs) {
  await runUp(settings, args);
  const state = { ...settings, brokers: undefined };
  const ctx = stackContext(state, { env: process.env });
  const logs = buildParts(ctx)
    .filter((p) => !p.skip && !p.external)
    .map((p) => ({ name: p.name, file: p.log }));
  out('\nFollowing the logs; Ctrl-C stops the stack.\n');
  const follower = followLogs(logs, out);
  await new Promise<void>((resolve) => {
    // Kept for the whole shutdown: Ctrl-C reaches us twice (from the terminal and relayed by tsx), and
    // the default action of a second SIGINT would end us halfway through stopping the stack.
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  follower.stop();
  out('');
  log('stopping the stack');
  const r = await down(settings, { env: process.env, log });
  log(`stack '${settings.profile}' is down (${r.seconds.toFixed(1)}s)`);
}

async function main() {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`stack: ${e.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (args.command === 'help') {
    out(USAGE);
    return;
  }
  const settings = stackSettings(args, process.env);
  switch (args.command) {
    case 'up':
      await runUp(settings, args);
      break;
    case 'down': {
      const r = await down(settings, { env: process.env, log, wipe: args.wipe });
      log(
        `stack '${settings.profile}' is down (${r.seconds.toFixed(1)}s)` +
          (r.stopped.length ? `; stopped ${r.stopped.join(', ')}` : '; nothing was running'),
      );
      break;
    }
    case 'status': {
      const rows = await status(settings, { env: process.env });
      if (args.json) out(JSON.stringify(rows, null, 2));
      else printStatus(rows);
      break;
    }
    case 'start':
      await runStart(settings, args);
      break;
  }
}

main().then(
  // kafkajs and pg may leave sockets closing in the background; the work is done.
  () => process.exit(0),
  (e: unknown) => {
    if (e instanceof ConfigError || !(e instanceof StackError)) exitOnStartupError('stack', e);
    process.stderr.write(`stack: ${e.message}\n`);
    process.exit(1);
  },
);
