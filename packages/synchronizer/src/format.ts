import type { Action, Finding, Plan } from './plan.ts';

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function configList(configs: Readonly<Record<string, string>>): string {
  return Object.entries(configs)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** One line describing an action, the same in the plan and in the report of what was done. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'create-topic': {
      const capped =
        action.replicationFactor < action.requestedReplicationFactor
          ? ` (capped from ${action.requestedReplicationFactor}: fewer live brokers)`
          : '';
      const configs = Object.keys(action.configs).length > 0 ? `, ${configList(action.configs)}` : '';
      return `create topic ${action.topic}: ${plural(action.partitions, 'partition')}, replication ${action.replicationFactor}${capped}${configs}`;
    }
    case 'add-partitions':
      return `add partitions to ${action.topic}: ${action.from} -> ${action.to}`;
    case 'alter-configs':
      return `alter configs of ${action.topic}: ${action.changes
        .map((c) => `${c.name} ${c.from ?? '(unset)'} -> ${c.to}`)
        .join(', ')}`;
    case 'register-schema':
      return `register schema ${action.subject} (${action.reason === 'missing' ? 'subject not registered' : 'latest version differs'})`;
    case 'delete-topic':
      return `delete topic ${action.topic}: not in the topology (${plural(action.partitions, 'partition')})`;
  }
}

export function describeFinding(finding: Finding): string {
  switch (finding.kind) {
    case 'too-many-partitions':
      return `${finding.topic} has ${finding.actual} partitions, the topology wants ${finding.desired}; Kafka cannot remove partitions (recreate the topic to fix)`;
    case 'replication-differs':
      return `${finding.topic} has replication ${finding.actual}, expected ${finding.expected} (${finding.requested} requested, ${plural(finding.liveBrokers, 'live broker')}); the synchronizer does not reassign replicas`;
    case 'schema-not-latest':
      return `${finding.subject}: the topology's schema is version ${finding.ourVersion}, but version ${finding.latestVersion} is the latest; registering it again adds no version (delete the newer versions in the registry to fix)`;
  }
}

const SYMBOL: Record<Action['kind'], string> = {
  'create-topic': '+',
  'add-partitions': '~',
  'alter-configs': '~',
  'register-schema': '+',
  'delete-topic': '-',
};

/** Counts per kind, in plan order, e.g. "create 16 topics, register 8 schemas". */
export function summarize(actions: readonly Action[]): string {
  const count = (kind: Action['kind']) => actions.filter((a) => a.kind === kind).length;
  const parts: string[] = [];
  const n = {
    create: count('create-topic'),
    partitions: count('add-partitions'),
    configs: count('alter-configs'),
    schemas: count('register-schema'),
    delete: count('delete-topic'),
  };
  if (n.create) parts.push(`create ${plural(n.create, 'topic')}`);
  if (n.partitions) parts.push(`add partitions to ${plural(n.partitions, 'topic')}`);
  if (n.configs) parts.push(`alter configs of ${plural(n.configs, 'topic')}`);
  if (n.schemas) parts.push(`register ${plural(n.schemas, 'schema')}`);
  if (n.delete) parts.push(`delete ${plural(n.delete, 'topic')}`);
  return parts.join(', ');
}

/** The plan as printed before anything changes: one line per action, then warnings, then a summary. */
export function formatPlan(plan: Plan): string[] {
  const lines: string[] = [];
  if (plan.actions.length === 0) {
    lines.push('plan: nothing to change');
  } else {
    lines.push(`plan: ${plural(plan.actions.length, 'change')}`);
    for (const a of plan.actions) lines.push(`  ${SYMBOL[a.kind]} ${describeAction(a)}`);
  }
  for (const f of plan.findings) lines.push(`  ! cannot fix: ${describeFinding(f)}`);
  for (const t of plan.keptUnknown)
    lines.push(`  = keep topic ${t}: not in the topology, but deletion is off for it`);
  const warnings = plan.findings.length > 0 ? `; ${plural(plan.findings.length, 'warning')}` : '';
  lines.push(
    plan.actions.length === 0
      ? `summary: in sync${warnings}`
      : `summary: ${summarize(plan.actions)}${warnings}`,
  );
  return lines;
}
