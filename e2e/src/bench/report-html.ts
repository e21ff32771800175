import { type BenchReport, benchChartSpecs, describeSetup, latencyTable } from '@open-bank/frontend';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** JSON inside a <script> must not be able to close it. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '–' : n.toFixed(digits));

function headlineTable(report: BenchReport): string {
  const rows = report.categories.map((c) => {
    const at = (load: number) => c.points.find((p) => p.load === load)?.latencyMs.mean;
    return `<tr><td>${esc(c.name)}</td><td>${esc(describeSetup(c.setup))}</td><td>${c.runs.length}</td><td>${fmt(c.maxLoad?.mean)}</td><td>${fmt(at(100))}</td><td>${fmt(at(500))}</td><td>${fmt(at(1000))}</td></tr>`;
  });
  return `<table><thead><tr><th>category</th><th>ran on</th><th>runs</th><th>max load reached (msg/s, mean)</th><th>driver latency at 100 msg/s (ms, mean)</th><th>at 500</th><th>at 1000</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function handlerStart(r: BenchReport['runs'][number]): string {
  const s = r.handlerStartMs;
  return s ? `${s.serving}${s.joined === undefined ? '' : ` / ${s.joined}`}` : '';
}

function runsTable(report: BenchReport): string {
  const rows = report.runs.map(
    (r) =>
      `<tr><td>${esc(r.name)}</td><td>${esc(r.category)}</td><td>${esc(r.startedAt)}</td><td>${esc(r.commit?.slice(0, 10) ?? '')}</td><td>${esc(r.machine)}</td><td>${esc(r.kafkaClient ?? '')}</td><td>${r.brokers ?? '?'}</td><td>${esc(`${r.mode ?? ''} ${r.preset ?? ''}`.trim())}</td><td>${r.loops}</td><td>${r.timeouts}</td><td>${r.maxLoad}</td><td>${handlerStart(r)}</td><td>${esc(r.endReason ?? 'cut short')}</td></tr>`,
  );
  return `<table><thead><tr><th>run</th><th>category</th><th>started</th><th>commit</th><th>machine</th><th>Kafka client</th><th>brokers</th><th>mode</th><th>loops</th><th>time-outs</th><th>max load</th><th>handler start (serving / joined, ms)</th><th>ended</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Per category: latency p50/p90/p99 beside mean ± standard error at every load, in-page and driver. */
function latencyTables(report: BenchReport): string {
  return report.categories
    .filter((c) => c.points.length > 0)
    .map((c) => {
      const t = latencyTable(c);
      const head = t.head.map((h) => `<th>${esc(h)}</th>`).join('');
      const rows = t.rows.map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('');
      return `<section><h2>${esc(c.name)}: latency per load (ms)</h2><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></section>`;
    })
    .join('\n');
}

/**
 * The report as one self-contained HTML page: Chart.js's UMD build is inlined, so the page works offline
 * and can be mailed or committed as it is.
 */
export function renderReportHtml(report: BenchReport, chartJsUmd: string): string {
  const specs = benchChartSpecs(report);
  const canvases = specs
    .map(
      (s) =>
        `<section><h2>${esc(s.title)}</h2><div class="chart"><canvas id="${esc(s.id)}"></canvas></div></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Open Bank benchmark report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #363636; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #dbdbdb; padding: 0.3rem 0.6rem; text-align: left; }
.chart { position: relative; height: 380px; }
section { margin: 2rem 0; }
</style>
</head>
<body>
<h1>Open Bank benchmark report</h1>
<p>Generated ${esc(report.generatedAt)}. Latency: from the click until the new balance shows at the top of the
transaction list, in a headless Chromium. <em>In-page</em>: from the click event's time stamp until a
MutationObserver in the page saw the new balance, in the page's own clock. <em>Driver</em>: from the benchmark
asking the browser to click until the browser told it the balance showed, its own round trips included (the
figure the original measured). Additional load: heartbeat messages per second, each turned into a command by
the command generator. CPU: 100 % is one core busy. Hops: medians of the services' open_bank_hop_seconds
histograms over the rows at a load.</p>
${headlineTable(report)}
${runsTable(report)}
${latencyTables(report)}
${canvases}
<script>${chartJsUmd.replace(/<\/script/gi, '<\\/script')}</script>
<script>
const specs = ${scriptJson(specs)};
for (const s of specs) new Chart(document.getElementById(s.id), { type: s.type, data: s.data, options: s.options });
</script>
<script type="application/json" id="bench-report">${scriptJson(report)}</script>
</body>
</html>
`;
}
