import { useEffect, useState } from 'react';
import { TestIds } from '../test-ids.ts';

/**
 * What the benchmark's report step commits as `bench-results.json` next to the app. Only the part this
 * view draws is typed; the report issue owns the full format.
 */
interface BenchResults {
  readonly generatedAt?: string;
  readonly series?: readonly {
    readonly name: string;
    readonly points: readonly { readonly load: number; readonly latencyMs: number }[];
  }[];
}

type Loaded = { state: 'loading' } | { state: 'none' } | { state: 'loaded'; results: BenchResults };

const COLOURS = ['#00d1b2', '#485fc7', '#f14668', '#ffb70f', '#3e8ed0'];

function LatencyChart({ results }: { results: BenchResults }) {
  const series = (results.series ?? []).filter((s) => s.points.length > 0);
  if (series.length === 0) return <p className="has-text-grey">The results hold no latency series yet.</p>;
  const points = series.flatMap((s) => s.points);
  const maxLoad = Math.max(1, ...points.map((p) => p.load));
  const maxLatency = Math.max(1, ...points.map((p) => p.latencyMs));
  const x = (load: number) => 50 + (load / maxLoad) * 520;
  const y = (ms: number) => 230 - (ms / maxLatency) * 200;
  return (
    <figure>
      <svg
        viewBox="0 0 600 270"
        className="chart"
        role="img"
        aria-label="Interaction latency against additional load"
      >
        <line x1="50" y1="230" x2="570" y2="230" className="axis" />
        <line x1="50" y1="30" x2="50" y2="230" className="axis" />
        <text x="310" y="262" textAnchor="middle" className="axis-label">
          additional load (messages/s), up to {maxLoad}
        </text>
        <text x="14" y="130" textAnchor="middle" className="axis-label" transform="rotate(-90 14 130)">
          latency (ms), up to {Math.round(maxLatency)}
        </text>
        {series.map((s, i) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={COLOURS[i % COLOURS.length]}
            strokeWidth="2.5"
            points={s.points.map((p) => `${x(p.load)},${y(p.latencyMs)}`).join(' ')}
          />
        ))}
      </svg>
      <figcaption className="tags">
        {series.map((s, i) => (
          <span key={s.name} className="tag is-white">
            <span className="swatch" style={{ background: COLOURS[i % COLOURS.length] }} />
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** The benchmark's charts, when a run's results have been committed with the app. */
export function BenchCharts() {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    fetch('/bench-results.json', { cache: 'no-cache' })
      .then(async (res) => {
        const type = res.headers.get('content-type') ?? '';
        if (!res.ok || !type.includes('json')) return null;
        return (await res.json()) as BenchResults;
      })
      .catch(() => null)
      .then((results) => {
        if (live) setLoaded(results ? { state: 'loaded', results } : { state: 'none' });
      });
    return () => {
      live = false;
    };
  }, []);

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
          {loaded.results.generatedAt && (
            <p className="is-size-7 has-text-grey mb-2">Results generated {loaded.results.generatedAt}</p>
          )}
          <LatencyChart results={loaded.results} />
        </>
      )}
    </div>
  );
}
