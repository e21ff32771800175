/** One sample of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescapeLabel = (s: string) => s.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** Parses the text format; comments, blank and malformed lines are skipped. */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const [, name = '', labelText, valueText = ''] = m;
    const value =
      valueText === '+Inf'
        ? Number.POSITIVE_INFINITY
        : valueText === '-Inf'
          ? Number.NEGATIVE_INFINITY
          : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') continue;
    const labels: Record<string, string> = {};
    if (labelText) for (const l of labelText.matchAll(LABEL)) labels[l[1] ?? ''] = unescapeLabel(l[2] ?? '');
    out.push({ name, labels, value });
  }
  return out;
}

/** Sum of a metric over every label set (or only those matching `where`); undefined when absent. */
export function sumMetric(
  samples: readonly Sample[],
  name: string,
  where: Readonly<Record<string, string>> = {},
): number | undefined {
  let sum: number | undefined;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (!Object.entries(where).every(([k, v]) => s.labels[k] === v)) continue;
    sum = (sum ?? 0) + s.value;
  }
  return sum;
}

export const CONSUMER_LAG = 'open_bank_consumer_lag';

/** Total consumer lag a service reports over all its topics and partitions. */
export function consumerLag(metricsText: string): number | undefined {
  return sumMetric(parsePrometheus(metricsText), CONSUMER_LAG);
}
