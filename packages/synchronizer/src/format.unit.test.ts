import { plannedTopics, resolveTopology } from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import { formatPlan } from './format.ts';
import type { Plan } from './plan.ts';
import { planSync } from './plan.ts';

describe('formatPlan', () => {
  it('says "nothing to change" for an empty plan', () => {
    expect(formatPlan({ actions: [], findings: [], keptUnknown: [] })).toEqual([
      'plan: nothing to change',
      'summary: in sync',
    ]);
  });

  it('prints one line per action and a summary', () => {
    const plan = planSync(plannedTopics(resolveTopology()), { liveBrokers: 1, topics: [], subjects: {} });
    const lines = formatPlan(plan);
    expect(lines[0]).toBe('plan: 24 changes');
    expect(lines).toContain(
      '  + create topic heartbeat: 1 partition, replication 1 (capped from 3: fewer live brokers), retention.ms=900000',
    );
    expect(lines).toContain(
      '  + create topic balance_changed: 9 partitions, replication 1 (capped from 3: fewer live brokers), retention.ms=-1',
    );
    expect(lines).toContain('  + register schema heartbeat-value (subject not registered)');
    expect(lines).toHaveLength(1 + 24 + 1);
    expect(lines.at(-1)).toBe('summary: create 16 topics, register 8 schemas');
  });

  it('prints drift, warnings and kept topics', () => {
    const plan: Plan = {
      actions: [
        { kind: 'add-partitions', topic: 'a', from: 1, to: 9 },
        {
          kind: 'alter-configs',
          topic: 'b',
          changes: [{ name: 'retention.ms', from: '1000', to: '900000' }],
          overrides: { 'retention.ms': '900000' },
        },
        { kind: 'register-schema', subject: 'b-value', topic: 'b', schema: '"long"', reason: 'differs' },
        { kind: 'delete-topic', topic: 'c', partitions: 1 },
      ],
      findings: [
        { kind: 'too-many-partitions', topic: 'd', actual: 12, desired: 9 },
        { kind: 'replication-differs', topic: 'e', actual: 1, expected: 3, requested: 3, liveBrokers: 3 },
        { kind: 'schema-not-latest', subject: 'g-value', latestVersion: 2, ourVersion: 1 },
      ],
      keptUnknown: ['f'],
    };
    expect(formatPlan(plan)).toEqual([
      'plan: 4 changes',
      '  ~ add partitions to a: 1 -> 9',
      '  ~ alter configs of b: retention.ms 1000 -> 900000',
      '  + register schema b-value (latest version differs)',
      '  - delete topic c: not in the topology (1 partition)',
      '  ! cannot fix: d has 12 partitions, the topology wants 9; Kafka cannot remove partitions (recreate the topic to fix)',
      '  ! cannot fix: e has replication 1, expected 3 (3 requested, 3 live brokers); the synchronizer does not reassign replicas',
      "  ! cannot fix: g-value: the topology's schema is version 1, but version 2 is the latest; registering it again adds no version (delete the newer versions in the registry to fix)",
      '  = keep topic f: not in the topology, but deletion is off for it',
      'summary: add partitions to 1 topic, alter configs of 1 topic, register 1 schema, delete 1 topic; 3 warnings',
    ]);
  });
});
