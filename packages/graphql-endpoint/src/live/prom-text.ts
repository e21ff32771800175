import { PromTextError } from '../errors.ts';

/** One sample of the Prometheus text exposition format: `name{label="value",...} value [timestamp]`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:]*/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function parseValue(raw: string, line: number): number {
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  const n = Number(raw);
  if (raw === '' || Number.isNaN(n)) throw new PromTextError(line, `'${raw}' is not a number`);
  return n;
}

/** The label set between braces, starting right after `{`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return [labels, i + 1];
    const name = LABEL_NAME.exec(text.slice(i))?.[0];
    if (name === undefined) throw new PromTextError(line, 'expected a label name');
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"')
      throw new PromTextError(line, `expected ="..." after ${name}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new PromTextError(line, `unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
  }
}

/**
 * The samples of a Prometheus text exposition (version 0.0.4, what prom-client serves). Comments and
 * HELP/TYPE lines are skipped; `keep` drops samples by name before their labels are parsed, so a caller
 * that needs a few families pays little for the rest.
 */
export function parsePrometheusText(text: string, keep: (name: string) => boolean = () => true): Sample[] {
  const out: Sample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n] ?? '';
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (name === undefined)
      throw new PromTextError(n + 1, `expected a metric name, got '${line.slice(0, 40)}'`);
    if (!keep(name)) continue;
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i + 1, n + 1);
    const rest = line.slice(i).trim().split(/\s+/);
    out.push({ name, labels, value: parseValue(rest[0] ?? '', n + 1) });
  }
  return out;
}
