import { useEffect, useRef, useState } from 'react';
import {
  type BenchCategory,
  type BenchReport,
  benchChartSpecs,
  type ChartSpec,
  describeSetup,
  latencyTable,
} from '../lib/bench-report.ts';
import { Chart, type ChartConfiguration } from '../lib/chart.ts';
import { TestIds } from '../test-ids.ts';

type Loaded = { state: 'loading' } | { state: 'none' } | { state: 'loaded'; report: BenchReport };

/** One chart of the report, drawn by Chart.js from the same definition the HTML report uses. */
function SpecChart({ spec }: { spec: ChartSpec }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    // The spec is plain JSON; Chart.js mutates what it is given, so it gets a copy.
    const config = structuredClone({ type: spec.type, data: spec.data, options: spec.options });
    const chart = new Chart(canvas.current, config as unknown as ChartConfiguration);
    return () => chart.destroy();
  }, [spec]);
  return (
    <figure className="mb-5">
      <figcaption className="has-text-weight-semibold mb-2">{spec.title}</figcaption>
      <div className="bench-chart">
        <canvas ref={canvas} role="img" aria-label={spec.title} data-chart={spec.id} />
      </div>
    </figure>
  );
}

function Headline({ report }: { report: BenchReport }) {
  return (
    <table className="table is-narrow is-size-7">
      <thead>
        <tr>
          <th>category</th>
          <th>ran on</th>
          <th>runs</th>
          <th>max load reached (msg/s)</th>
          <th>driver latency at 100 / 500 / 1000 msg/s (ms, mean)</th>
        </tr>
      </thead>
      <tbody>
        {report.categories.map((c) => {
          const at = (load: number) => {
            const p = c.points.find((x) => x.load === load);
            return p ? Math.round(p.latencyMs.mean).toString() : '–';
          };
          return (
            <tr key={c.name}>
              <td>{c.name}</td>
              <td>{describeSetup(c.setup)}</td>
              <td>{c.runs.length}</td>
              <td>{c.maxLoad ? Math.round(c.maxLoad.mean) : '–'}</td>
              <td>
                {at(100)} / {at(500)} / {at(1000)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A category's latency per load: p50/p90/p99 beside mean ± standard error, in-page and driver. */
function LatencyTable({ category }: { category: BenchCategory }) {
  const t = latencyTable(category);
  return (
    <div className="table-container mb-5">
      <p className="has-text-weight-semibold mb-2">{category.name}: latency per load (ms)</p>
      <table className="table is-narrow is-size-7" data-latency-table={category.name}>
        <thead>
          <tr>
            {t.head.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the header repeats p90/p99 for both figures
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {t.rows.map((r) => (
            <tr key={r[0]}>
              {r.map((v, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed set of columns
                <td key={i}>{v}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The benchmark's charts, when a run's report has been committed with the app as bench-results.json. */
export function BenchCharts() {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    fetch('/bench-results.json', { cache: 'no-cache' })
      .then(async (res) => {
        const type = res.headers.get('content-type') ?? '';
        if (!res.ok || !type.includes('json')) return null;
        const body = (await res.json()) as Partial<BenchReport>;
        return Array.isArray(body.categories) && Array.isArray(body.components)
          ? (body as BenchReport)
          : null;
      })
      .catch(() => null)
      .then((report) => {
        if (live) setLoaded(report ? { state: 'loaded', report } : { state: 'none' });
      });
    return () => {
      live = false;
    };
  }, []);

  const specs = loaded.state === 'loaded' ? benchChartSpecs(loaded.report) : [];
  return (
    <div data-testid={TestIds.benchCharts} data-state={loaded.state}>
      {loaded.state === 'loading' && <p className="has-text-grey">Looking for benchmark results…</p>}
      {loaded.state === 'none' && (
        <div className="notification is-light">
          <p className="has-text-weight-semibold">No benchmark has been committed yet.</p>
          <p className="is-size-7">
            Once a run of the benchmark is committed, its charts show here: how long a deposit or transfer
            takes to show up as background load rises, and what each component costs in CPU and memory.
          </p>
        </div>
      )}
      {loaded.state === 'loaded' && (
        <>
          <p className="is-size-7 has-text-grey mb-2">Results generated {loaded.report.generatedAt}</p>
          <Headline report={loaded.report} />
          {loaded.report.categories
            .filter((c) => c.points.length > 0)
            .map((c) => (
              <LatencyTable key={c.name} category={c} />
            ))}
          {specs.length === 0 && <p className="has-text-grey">The results hold no rows yet.</p>}
          {specs.map((s) => (
            <SpecChart key={s.id} spec={s} />
          ))}
        </>
      )}
    </div>
  );
}
