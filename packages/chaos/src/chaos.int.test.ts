// The short chaos set inside `pnpm test`: on a stack of its own (it pauses PostgreSQL and kills services,
// which the stack the other int tests share must not suffer), next to the test profile's ports.
import { TEST_KAFKA_CLIENTS } from '@open-bank/runtime/testing';
import { describe, expect, it } from 'vitest';
import { failures, formatScenario, formatTable } from './report.ts';
import { runChaos } from './runner.ts';
import { selectScenarios } from './scenarios.ts';
import { testStack } from './test-stacks.ts';

const { profile: PROFILE, portOffset: PORT_OFFSET } = testStack('chaos');

describe('the short chaos set', () => {
  it('loses no command, answers none twice, recovers after every fault and reconciles', async () => {
    const lines: string[] = [];
    const results = await runChaos(
      {
        scenarios: selectScenarios(undefined, { short: true }),
        // The first client the per-adapter tests run on: chaos is too slow to repeat per client here.
        kafkaClient: TEST_KAFKA_CLIENTS[0] ?? 'kafkajs',
        rate: 100,
        clients: 2,
        profile: PROFILE,
        portOffset: PORT_OFFSET,
        keepData: false,
        keepStack: false,
      },
      { env: process.env, log: (l) => lines.push(l), progress: () => undefined },
    );
    process.stdout.write(`${[...results.flatMap(formatScenario), '', ...formatTable(results)].join('\n')}\n`);
    expect(results.map((r) => r.name)).toEqual(['handler-kills', 'postgres-pause']);
    for (const r of results) {
      expect(
        failures(r),
        `${r.name}:\n${formatScenario(r).join('\n')}\n${lines.slice(-40).join('\n')}`,
      ).toEqual([]);
      expect(r.figures?.sent).toBeGreaterThan(1_000);
      expect(r.figures?.clients.requests).toBeGreaterThan(0);
    }
  }, 600_000);
});
