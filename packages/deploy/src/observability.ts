import { posix } from 'node:path';
import type { ConfigSpec } from '@open-bank/config';
import { parse } from 'yaml';
import { checkServiceEnv, type RepoFiles } from './checks.ts';
import { activeServices, type ComposeProject, type ComposeService } from './compose.ts';

/** One query of a dashboard panel. */
export interface PanelQuery {
  readonly panel: string;
  readonly datasourceUid: string | undefined;
  readonly expr: string;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: identifiers that are neither functions, keywords, label
 * names (in matchers and in by/without/on/ignoring lists) nor inside strings, ranges or Grafana variables.
 */
export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ' ')
    // Numbers and durations (5m, 1.5e3), whose letters are no names.
    .replace(/\b\d[\d.]*(e[+-]?\d+|ms|[smhdwy])*\b/gi, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = m[0];
    const after = stripped.slice((m.index ?? 0) + name.length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name)) continue;
    names.add(name);
  }
  return [...names];
}

interface RawPanel {
  title?: unknown;
  type?: unknown;
  datasource?: { uid?: unknown } | null;
  targets?: { expr?: unknown; datasource?: { uid?: unknown } | null }[];
  panels?: RawPanel[];
}

/** Every query of a Grafana dashboard (rows' nested panels too); throws when it is not a dashboard. */
export function dashboardQueries(dashboard: unknown): PanelQuery[] {
  const d = dashboard as { panels?: unknown; uid?: unknown; title?: unknown };
  if (typeof d !== 'object' || d === null || !Array.isArray(d.panels) || typeof d.uid !== 'string') {
    throw new Error('a Grafana dashboard needs a uid and a panels array');
  }
  const out: PanelQuery[] = [];
  const visit = (panels: readonly RawPanel[]) => {
    for (const p of panels) {
      if (p.type === 'row') {
        visit(p.panels ?? []);
        continue;
      }
      const panel = typeof p.title === 'string' ? p.title : '(untitled)';
      for (const t of p.targets ?? []) {
        const uid = t.datasource?.uid ?? p.datasource?.uid;
        out.push({
          panel,
          datasourceUid: typeof uid === 'string' ? uid : undefined,
          expr: typeof t.expr === 'string' ? t.expr : '',
        });
      }
      if ((p.targets ?? []).length === 0) out.push({ panel, datasourceUid: undefined, expr: '' });
    }
  };
  visit(d.panels as RawPanel[]);
  return out;
}

/** Every metric name the dashboard's queries read, sorted. */
export function dashboardMetricNames(dashboard: unknown): string[] {
  return [...new Set(dashboardQueries(dashboard).flatMap((q) => metricNamesOf(q.expr)))].sort();
}

/** The metric families a /metrics text exposes (histograms as their _bucket, _sum and _count series). */
export function exposedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)[{\s]/.exec(line);
    if (m?.[1]) names.add(m[1]);
    // A labelled family with no series yet still declares itself (prom-client writes HELP and TYPE).
    const declared = /^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (\w+)/.exec(line);
    if (declared?.[1]) {
      names.add(declared[1]);
      if (declared[2] === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${declared[1]}${suffix}`);
    }
  }
  return names;
}

/** The repository path a container path of a service comes from (a bind mount), if any. */
function repoPathOf(s: ComposeService, containerPath: string): string | undefined {
  for (const m of s.volumes) {
    if (m.type !== 'bind' || m.source === undefined) continue;
    const target = m.target.replace(/\/+$/, '');
    if (containerPath === target) return posix.normalize(m.source);
    if (containerPath.startsWith(`${target}/`))
      return posix.join(posix.normalize(m.source), containerPath.slice(target.length + 1));
  }
  return undefined;
}

function readYaml(files: RepoFiles, path: string, say: (m: string) => void): unknown {
  const text = files.read(path);
  if (text === undefined) {
    say(`${path} does not exist`);
    return undefined;
  }
  try {
    return parse(text);
  } catch (e) {
    say(`${path} is not YAML: ${(e as Error).message}`);
    return undefined;
  }
}

export interface ObservabilityFacts {
  readonly configSpecs: Readonly<Record<string, ConfigSpec>>;
  /** Services that run once: never scraped. */
  readonly oneShot: readonly string[];
  readonly files: RepoFiles;
}

const PROMETHEUS_PORT = 9090;

/**
 * Prometheus and Grafana of the demo: Prometheus scrapes every long-running service built from the
 * repository on the port it listens on, and publishes nothing on the host; Grafana's data source is
 * that Prometheus, its dashboards are provisioned from the repository, parse, and query only provisioned
 * data sources; anyone may view, nobody anonymous may edit.
 */
export function checkObservability(
  project: ComposeProject,
  profiles: readonly string[],
  facts: ObservabilityFacts,
): string[] {
  const problems: string[] = [];
  const active = activeServices(project, profiles);
  const prometheus = active.find((s) => s.image?.startsWith('prom/prometheus:'));
  const grafana = active.find((s) => s.image?.startsWith('grafana/grafana:'));
  if (!prometheus) problems.push('no prometheus service (image prom/prometheus)');
  if (!grafana) problems.push('no grafana service (image grafana/grafana)');
  if (!prometheus || !grafana) return problems;

  // Prometheus: its config from the repository, a target for every service, each on the service's port.
  const sayP = (m: string) => problems.push(`service ${prometheus.name}: ${m}`);
  if (prometheus.ports.some((p) => p.host !== undefined))
    sayP('publishes a host port: only Grafana needs one');
  const configFlag =
    /--config\.file=(\S+)/.exec(prometheus.commandLine)?.[1] ?? '/etc/prometheus/prometheus.yml';
  const configPath = repoPathOf(prometheus, configFlag);
  if (configPath === undefined) sayP(`${configFlag} is not mounted from the repository`);
  const config =
    configPath === undefined
      ? undefined
      : (readYaml(facts.files, configPath, sayP) as {
          scrape_configs?: {
            job_name?: string;
            metrics_path?: string;
            static_configs?: { targets?: string[] }[];
          }[];
        });
  const scraped = new Map<string, number>();
  for (const job of config?.scrape_configs ?? []) {
    if ((job.metrics_path ?? '/metrics') !== '/metrics')
      sayP(`job ${job.job_name}: metrics_path must be /metrics`);
    for (const target of (job.static_configs ?? []).flatMap((c) => c.targets ?? [])) {
      const m = /^([^:]+):(\d+)$/.exec(target);
      const service = m ? active.find((s) => s.name === m[1]) : undefined;
      if (!m || !service) {
        sayP(`scrape target ${target} is not a service here`);
        continue;
      }
      const spec =
        service.build?.args.SERVICE === undefined ? undefined : facts.configSpecs[service.build.args.SERVICE];
      const port = spec === undefined ? undefined : checkServiceEnv(service.environment, spec).port;
      if (port !== Number(m[2]))
        sayP(`scrape target ${target}: ${service.name} serves /metrics on ${port ?? 'no known port'}`);
      scraped.set(service.name, Number(m[2]));
    }
  }
  for (const s of active) {
    if (s.build?.args.SERVICE === undefined || facts.oneShot.includes(s.name)) continue;
    if (!scraped.has(s.name)) sayP(`does not scrape ${s.name}`);
  }

  // Grafana: data sources, dashboards, anonymous viewers.
  const sayG = (m: string) => problems.push(`service ${grafana.name}: ${m}`);
  const env = grafana.environment;
  if (env.GF_AUTH_ANONYMOUS_ENABLED !== 'true')
    sayG('GF_AUTH_ANONYMOUS_ENABLED must be "true" (anyone may look)');
  if (env.GF_AUTH_ANONYMOUS_ORG_ROLE !== 'Viewer')
    sayG('GF_AUTH_ANONYMOUS_ORG_ROLE must be Viewer (read-only)');
  if (!grafana.dependsOn[prometheus.name]) sayG(`does not depend on ${prometheus.name}`);
  const provisioning = repoPathOf(grafana, '/etc/grafana/provisioning');
  if (provisioning === undefined) {
    sayG('/etc/grafana/provisioning is not mounted from the repository');
    return problems;
  }
  const uids = new Set<string>();
  const yamlIn = (dir: string) =>
    facts.files
      .list(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => posix.join(dir, f));
  const datasourceFiles = yamlIn(posix.join(provisioning, 'datasources'));
  if (datasourceFiles.length === 0) sayG(`no data source files in ${provisioning}/datasources`);
  for (const file of datasourceFiles) {
    const doc = readYaml(facts.files, file, sayG) as {
      datasources?: { uid?: string; type?: string; url?: string }[];
    };
    for (const ds of doc?.datasources ?? []) {
      if (ds.uid) uids.add(ds.uid);
      const url = ds.url === undefined ? undefined : new URL(ds.url);
      if (
        ds.type === 'prometheus' &&
        (url?.hostname !== prometheus.name || Number(url.port) !== PROMETHEUS_PORT)
      ) {
        sayG(`${file}: data source ${ds.uid} must point at http://${prometheus.name}:${PROMETHEUS_PORT}`);
      }
    }
  }
  const providerFiles = yamlIn(posix.join(provisioning, 'dashboards'));
  if (providerFiles.length === 0) sayG(`no dashboard providers in ${provisioning}/dashboards`);
  let dashboards = 0;
  for (const file of providerFiles) {
    const doc = readYaml(facts.files, file, sayG) as {
      providers?: { name?: string; options?: { path?: string } }[];
    };
    for (const provider of doc?.providers ?? []) {
      const path = provider.options?.path;
      const dir = path === undefined ? undefined : repoPathOf(grafana, path);
      if (dir === undefined || !facts.files.isDirectory(dir)) {
        sayG(
          `${file}: provider ${provider.name} reads ${path}, which is not a directory mounted from the repository`,
        );
        continue;
      }
      for (const json of facts.files.list(dir).filter((f) => f.endsWith('.json'))) {
        dashboards++;
        const where = posix.join(dir, json);
        try {
          const queries = dashboardQueries(JSON.parse(facts.files.read(where) ?? ''));
          for (const q of queries) {
            if (q.expr.trim() === '') sayG(`${where}: panel "${q.panel}" has no query`);
            else if (metricNamesOf(q.expr).length === 0) sayG(`${where}: panel "${q.panel}" reads no metric`);
            if (q.datasourceUid === undefined || !uids.has(q.datasourceUid)) {
              sayG(
                `${where}: panel "${q.panel}" uses data source ${q.datasourceUid ?? '(none)'}, which is not provisioned`,
              );
            }
          }
        } catch (e) {
          sayG(`${where} is not a dashboard: ${(e as Error).message}`);
        }
      }
    }
  }
  if (dashboards === 0) sayG('provisions no dashboard');
  const home = env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
  if (home !== undefined) {
    const file = repoPathOf(grafana, home);
    if (file === undefined || !facts.files.isFile(file))
      sayG(`home dashboard ${home} is not a file from the repository`);
  }
  return problems;
}
