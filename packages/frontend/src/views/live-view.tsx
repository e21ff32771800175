import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useBankClient } from '../client-context.tsx';
import { describeError } from '../errors.ts';
import { useLiveMetrics } from '../hooks/use-live-metrics.ts';
import { Chart } from '../lib/chart.ts';
import {
  formatMs,
  formatRate,
  type LiveMetrics,
  type LivePoint,
  observedHops,
  SET_HEARTBEAT_RATE,
  totalLag,
} from '../lib/live.ts';
import { TestIds } from '../test-ids.ts';

interface Series {
  readonly label: string;
  readonly color: string;
  readonly value: (p: LivePoint) => number | null;
}

/**
 * A line chart over the history, made once and updated in place without animation: a new point every
 * couple of seconds costs the browser a repaint of one canvas, not a new chart.
 */
function HistoryChart({
  history,
  series,
  unit,
}: {
  history: readonly LivePoint[];
  series: readonly Series[];
  unit: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line', (number | null)[], number> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: [],
        datasets: series.map((s) => ({
          label: s.label,
          data: [],
          borderColor: s.color,
          backgroundColor: s.color,
          pointRadius: 0,
          borderWidth: 2,
          spanGaps: true,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'seconds' } },
          y: { beginAtZero: true, title: { display: true, text: unit } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.current?.destroy();
  }, [series, unit]);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = history.map((p) => p.t);
    series.forEach((s, i) => {
      const dataset = c.data.datasets[i];
      if (dataset) dataset.data = history.map((p) => ({ x: p.t, y: s.value(p) }) as unknown as number);
    });
    c.update('none');
  }, [history, series]);
  return (
    <div className="live-chart">
      <canvas ref={canvas} role="img" aria-label={series.map((s) => s.label).join(', ')} />
    </div>
  );
}

/** p50 and p99 of each hop that has observations, as horizontal bars. */
function HopChart({ latest }: { latest: LiveMetrics }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar', (number | null)[], string> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: [],
        datasets: [
          { label: 'p50 (ms)', data: [], backgroundColor: '#485fc7' },
          { label: 'p99 (ms)', data: [], backgroundColor: '#f14668' },
        ],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { type: 'linear', beginAtZero: true, title: { display: true, text: 'ms' } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.current?.destroy();
  }, []);
  const hops = observedHops(latest);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = hops.map((h) => h.hop.replaceAll('_', ' '));
    const [p50, p99] = c.data.datasets;
    if (p50) p50.data = hops.map((h) => h.p50_ms);
    if (p99) p99.data = hops.map((h) => h.p99_ms);
    c.update('none');
  }, [hops]);
  return (
    <>
      {hops.length === 0 && (
        <p className="is-size-7 has-text-grey">No command has been traced hop by hop in the last seconds.</p>
      )}
      <div className="live-chart" hidden={hops.length === 0}>
        <canvas ref={canvas} role="img" aria-label="latency per hop" />
      </div>
    </>
  );
}

function Tile({
  label,
  value,
  testId,
  note,
}: {
  label: string;
  value: string;
  testId: string;
  note?: string;
}) {
  return (
    <div className="column is-half-mobile">
      <div className="box live-tile">
        <p className="heading">{label}</p>
        <p className="title is-4" data-testid={testId}>
          {value}
        </p>
        {note && <p className="is-size-7 has-text-grey">{note}</p>}
      </div>
    </div>
  );
}

/** Sets the heartbeat's rate: shown only where the endpoint allows it (local mode). */
function LoadControl({ current }: { current: number | null }) {
  const client = useBankClient();
  const [rate, setRate] = useState('100');
  const [result, setResult] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const perSecond = Number(rate);
    client
      .query<{ set_heartbeat_rate: { per_second: number } | null }>(SET_HEARTBEAT_RATE, { perSecond })
      .then(
        (d) =>
          setResult(`Heartbeat set to ${formatRate(d.set_heartbeat_rate?.per_second ?? null)} per second.`),
        (err: unknown) => setResult(describeError(err)),
      );
  };
  return (
    <form className="box" onSubmit={submit}>
      <h2 className="title is-6">Background load</h2>
      <div className="field has-addons">
        <div className="control">
          <input
            className="input"
            type="number"
            min={0}
            max={5000}
            step={10}
            value={rate}
            onChange={(e) => setRate(e.target.value)}
            aria-label="heartbeats per second"
            data-testid={TestIds.liveRateInput}
          />
        </div>
        <div className="control">
          <button type="submit" className="button is-primary" data-testid={TestIds.liveRateSubmit}>
            Set heartbeats per second
          </button>
        </div>
      </div>
      <p className="is-size-7 has-text-grey" data-testid={TestIds.liveRateResult}>
        {result ?? `Now ${formatRate(current)} per second; each heartbeat becomes one command.`}
      </p>
    </form>
  );
}

const THROUGHPUT: readonly Series[] = [
  { label: 'commands/s', color: '#485fc7', value: (p) => p.commands },
  { label: 'heartbeats/s', color: '#48c78e', value: (p) => p.heartbeats },
];
const LATENCY: readonly Series[] = [
  { label: 'p50 (ms)', color: '#485fc7', value: (p) => p.p50 },
  { label: 'p99 (ms)', color: '#f14668', value: (p) => p.p99 },
];

/** The running bank's core figures, updated every couple of seconds from the services' metrics. */
export function LiveView() {
  const { latest, history, error } = useLiveMetrics();
  return (
    <div data-testid={TestIds.liveView} data-state={latest ? 'live' : 'waiting'}>
      <section className="box content">
        <h1 className="title is-4">Live</h1>
        <p>
          What the bank is doing right now, from the Prometheus metrics every service serves, read by the
          GraphQL endpoint every couple of seconds while this page is open. Rates are over the last few
          seconds.
        </p>
        {error && <p className="notification is-warning is-light">{error}</p>}
        {!latest && !error && <p className="has-text-grey">Waiting for the first figures…</p>}
      </section>
      {latest && (
        <>
          <div className="columns is-multiline is-mobile">
            <Tile
              label="commands / s"
              value={formatRate(latest.commands_per_second)}
              testId={TestIds.liveCommandsPerSecond}
            />
            <Tile
              label="heartbeats / s"
              value={formatRate(latest.heartbeats_per_second)}
              testId={TestIds.liveHeartbeatsPerSecond}
              {...(latest.heartbeat_target_per_second === null
                ? {}
                : { note: `set to ${formatRate(latest.heartbeat_target_per_second)}` })}
            />
            <Tile
              label="latency p50 / p99"
              value={`${formatMs(latest.latency_p50_ms)} / ${formatMs(latest.latency_p99_ms)}`}
              testId={TestIds.liveLatency}
              note={latest.latency_source}
            />
            <Tile
              label="consumer lag"
              value={formatRate(totalLag(latest))}
              testId={TestIds.liveLag}
              note="messages, all services"
            />
          </div>
          {latest.heartbeat_control && <LoadControl current={latest.heartbeat_target_per_second} />}
          <div className="columns">
            <div className="column">
              <section className="box">
                <h2 className="title is-6">Throughput</h2>
                <HistoryChart history={history} series={THROUGHPUT} unit="per second" />
              </section>
            </div>
            <div className="column">
              <section className="box">
                <h2 className="title is-6">Latency ({latest.latency_source})</h2>
                <HistoryChart history={history} series={LATENCY} unit="ms" />
              </section>
            </div>
          </div>
          <section className="box">
            <h2 className="title is-6">Latency per hop</h2>
            <HopChart latest={latest} />
          </section>
          <div className="columns">
            <div className="column">
              <section className="box">
                <h2 className="title is-6">Consumer lag</h2>
                <table className="table is-narrow is-fullwidth is-size-7">
                  <thead>
                    <tr>
                      <th>service</th>
                      <th>topic</th>
                      <th className="has-text-right">lag</th>
                    </tr>
                  </thead>
                  <tbody>
                    {latest.lag.map((l) => (
                      <tr key={`${l.service}/${l.topic}`}>
                        <td>{l.service}</td>
                        <td>{l.topic}</td>
                        <td className="has-text-right">{l.lag}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            </div>
            <div className="column">
              <section className="box">
                <h2 className="title is-6">Services</h2>
                <table className="table is-narrow is-fullwidth is-size-7">
                  <thead>
                    <tr>
                      <th>service</th>
                      <th className="has-text-right">CPU (% of a core)</th>
                      <th className="has-text-right">memory (MiB)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {latest.services.map((s) => (
                      <tr key={s.name} className={s.up ? '' : 'has-text-danger'}>
                        <td>{s.up ? s.name : `${s.name} (down)`}</td>
                        <td className="has-text-right">{formatRate(s.cpu_percent)}</td>
                        <td className="has-text-right">{formatRate(s.memory_mb)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="is-size-7 has-text-grey">
                  {latest.websockets} WebSockets, {latest.subscriptions} transaction subscriptions,{' '}
                  {latest.pending_answers} answers pending; {formatRate(latest.dead_lettered_per_second)}{' '}
                  dead-lettered and {formatRate(latest.kafka_transaction_retries_per_second)} Kafka
                  transaction retries per second.
                </p>
              </section>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
