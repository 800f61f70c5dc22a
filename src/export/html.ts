import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { GateResult, HistoryPlace } from '../results/run.ts';
import { escapeHtml as e, jsonForScript, showControls } from '../text/escape.ts';
import { buildCharts } from '../view/charts/report.ts';
import { type ChartSpec, LOG_TICK_LABELS_SOURCE } from '../view/charts/style.ts';
import { CONNECTION_COLUMNS, CONNECTIONS_MEAN } from '../view/connections.ts';
import { ENDPOINT_COLUMNS, HURT_MEANS } from '../view/endpoints.ts';
import { NOTHING_FOUND } from '../view/findings.ts';
import { PLACE_COLUMNS, placeCharts, placeLine, placeRows } from '../view/history.ts';
import { comparisonTable, gateMark, gateRows, gateSummary, type TableRow } from '../view/table.ts';
import type { RunView, TrialView } from '../view/view.ts';
import type { Exporter } from './exporter.ts';

const require = createRequire(import.meta.url);

/** Chart.js and its annotation plugin, inlined so that a page needs no network, read once. */
let vendored: string | undefined;
export function vendorScripts(): string {
  vendored ??= [
    path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    path.join(
      path.dirname(require.resolve('chartjs-plugin-annotation')),
      'chartjs-plugin-annotation.min.js',
    ),
  ]
    .map((file) =>
      readFileSync(file, 'utf8')
        // A source map comment would make developer tools fetch a file that is not there.
        .replace(/\/\/# sourceMappingURL=\S+/g, '')
        .replace(/<\/script/gi, '<\\/script'),
    )
    .join('\n');
  return vendored;
}

const STYLE = `
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1360px; padding: 16px 24px; color: #222; overflow-wrap: anywhere; }
  h1 { margin: 0 0 2px; font-size: 24px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
  .meta { color: #666; margin: 0 0 8px; font-size: 13px; } .meta span + span::before { content: " · "; }
  header p { margin: 0 0 4px; }
  .headline { font-size: 17px; padding: 10px 16px; background: #f4f8fb; border-left: 4px solid #1f77b4; margin: 10px 0; }
  .headline .best { font-weight: 600; }
  .ended { white-space: pre-wrap; font-weight: 600; padding: 10px 16px; background: #fdecea; color: #b71c1c; border-left: 4px solid #b71c1c; margin: 10px 0; }
  .notice { padding: 8px 16px; background: #fff4e5; border-left: 4px solid #ff7f0e; margin: 8px 0; }
  .scroll { overflow-x: auto; max-width: 100%; }
  table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: right; overflow-wrap: normal; }
  th, .timeline td:first-child { white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; } tr.key td { font-weight: 600; } thead th { border-bottom: 2px solid #ccc; }
  .answer { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(560px, 100%), 1fr)); gap: 4px 20px; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(520px, 100%), 1fr)); gap: 20px; }
  figure { margin: 0; min-width: 0; } .chart { position: relative; } figcaption { color: #666; font-size: 12px; margin-top: 2px; }
  .answer figcaption { font-size: 11.5px; line-height: 1.35; }
  .timeline td, .timeline th { text-align: left; }
  pre { background: #f7f7f7; padding: 8px; overflow-x: auto; font-size: 12px; max-height: 320px; }
  .verdict { font-weight: 600; padding: 6px 16px; margin: 8px 0; } .verdict.pass { background: #e8f5e9; color: #1b5e20; } .verdict.fail { background: #fdecea; color: #b71c1c; } .verdict.not-evaluated { background: #fff4e5; color: #8a4b00; }
  tr.fail td, tr.hurt td { color: #b71c1c; font-weight: 600; }
  details { margin: 8px 0; } summary { cursor: pointer; }
  .findings { margin: 8px 0; } .finding { padding: 4px 16px; margin: 4px 0; border-left: 4px solid #999; background: #f7f7f7; }
  .finding.fault { border-color: #b71c1c; background: #fdf3f2; } .finding.info { border-color: #1f77b4; background: #f4f8fb; }
  .finding p { margin: 4px 0; } .finding .label { font-weight: 600; }
  @media (max-width: 600px) { body { padding: 10px; } .headline { font-size: 15px; } }
`;

/**
 * The start of every page bench writes or serves, to the end of its <head>: self-contained, so its
 * policy allows no source but its own inline script and style (and `connect` for a live page).
 */
export function pageHead(title: string, style: string, connect?: "'self'"): string {
  const connectSource = connect ? ` connect-src ${connect};` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';${connectSource} img-src data:">
<title>${e(title)}</title>
<style>${style}</style>
</head>`;
}

/** Draws every chart from the inlined specs, then marks the page ready (tests wait for it). */
const INIT = `
  (function () {
    Chart.register(window['chartjs-plugin-annotation']);
    (${LOG_TICK_LABELS_SOURCE})(Chart);
    var specs = JSON.parse(document.getElementById('chart-specs').textContent);
    specs.forEach(function (spec) {
      var config = spec.config;
      config.options = Object.assign({}, config.options, { responsive: true, maintainAspectRatio: false });
      new Chart(document.getElementById('chart-' + spec.id), config);
    });
    document.documentElement.setAttribute('data-charts', 'ready');
  })();
`;

/** index.html: one self-contained page, no request to any network when opened from disk. */
export const htmlExporter: Exporter<'html'> = {
  name: 'html',
  files: /^index\.html$/,
  render(_run, context) {
    return [{ name: 'index.html', content: renderHtml(context.view()) }];
  },
};

export function renderHtml(view: RunView): string {
  const { results } = view;
  const charts = buildCharts(view);
  const history = view.run.history ? placeCharts(view.run.history) : [];
  const rows = comparisonTable(view.variants, { connections: view.showConnections });
  const trials = results.variants.reduce((n, v) => Math.max(n, v.trials.length), 0);
  return `${pageHead(`deploy-bench — ${view.title}`, STYLE)}
<body>
<header>
<h1>${e(view.title)}</h1>
${view.description ? `<p>${e(view.description)}</p>` : ''}
<p class="meta"><span>${e(results.startedAt)}</span><span>${e(`${results.machine.hostname}, ${results.machine.cpus} CPUs, ${results.machine.platform}, Node ${results.machine.node}`)}</span><span>${e(`${results.tool.name} ${results.tool.version}`)}</span><span>${e(results.scenarioFile)}</span>${view.load ? `<span id="load">${e(`load: ${view.load}`)}</span>` : ''}${results.overrides ? `<span id="overrides">${e(`overrides: ${results.overrides.join(', ')}`)}</span>` : ''}<span>${trials} trial${trials === 1 ? '' : 's'} per variant</span></p>
</header>
${view.ended ? `<p class="ended" id="ended">${e(view.ended)}</p>` : ''}
<p class="headline" id="headline">${headline(view)}</p>
${gatesHtml(view.gates)}
${view.notices.map((n) => `<p class="notice">${e(n)}</p>`).join('\n')}
<section class="answer" id="answer">
${charts
  .filter((c) => c.kind === 'lanes' || c.kind === 'waits')
  .map(figure)
  .join('\n')}
</section>
${findingsHtml(view)}${historyHtml(view.run.history, history)}
<h2>Comparison</h2>
${table(
  'comparison',
  view,
  rows.filter((r) => !r.phase),
)}
<p class="meta">Median over trials, with the min–max spread when there are several. Longest transaction counts failed requests too; the siege-compatible figure only successful ones. The verdict ranks by the longest user wait, then failed requests, then the longest transaction.</p>
${endpointsHtml(view)}${connectionsHtml(view)}<h2>Charts</h2>
<div class="charts">
${charts
  .filter((c) => c.kind !== 'lanes' && c.kind !== 'waits')
  .map(figure)
  .join('\n')}
</div>
<h2>Latency by phase</h2>
${table(
  'phases',
  view,
  rows.filter((r) => r.phase),
)}
<p class="meta">Before: requests that ended before the deploy was triggered; during: those that overlapped it; after: those that started after it completed. A closed model (users who wait for each answer) sends nothing while the target stalls, so its plain percentiles under-count a stall; the rows corrected for coordinated omission count the requests its users would have sent meanwhile. An open model's latency counts from each request's scheduled start; its service time from the actual send.</p>
<h2>Deploy timelines</h2>
${view.variants.map((v) => v.trials.map((t) => timeline(v.name, t)).join('\n')).join('\n')}
<script type="application/json" id="chart-specs">${jsonForScript([...charts, ...history])}</script>
<script>${vendorScripts()}</script>
<script>${INIT}</script>
</body>
</html>
`;
}

/** Where the run stands among its past runs (`--history`): a table, and each figure's trend. */
function historyHtml(place: HistoryPlace | undefined, charts: readonly ChartSpec[]): string {
  if (!place) return '';
  const rows = placeRows(place)
    .map(
      (r) =>
        `<tr${r.over ? ' class="fail"' : ''}>${[r.variant, r.figure, r.value, r.median, r.p95, r.worst, r.place, r.budget].map((c) => `<td>${e(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `
<h2>Against past runs</h2>
<p class="meta" id="history">${e(placeLine(place))}</p>
<div class="scroll"><table id="history-place"><thead><tr><th>variant</th>${PLACE_COLUMNS.map((c) => `<th>${e(c)}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table></div>
<div class="charts">
${charts.map(figure).join('\n')}
</div>`;
}

/** The verdict, which starts with the best variant when there is one: its name set in bold. */
function headline(view: RunView): string {
  const { best, headline } = view.comparison;
  const text = e(headline);
  if (best === null || !text.startsWith(`${e(best)}:`)) return text;
  return `<span class="best">${e(best)}</span>${text.slice(e(best).length)}`;
}

/** A chart's canvas in a box of its own height, named by its kind for tests and styles. */
function figure(chart: ChartSpec): string {
  return `<figure data-chart="${e(chart.kind)}"><div class="chart" style="height: ${chart.height}px"><canvas id="chart-${e(chart.id)}" role="img" aria-label="${e(chart.title)}"></canvas></div><figcaption>${e(chart.caption)}</figcaption></figure>`;
}

/** Per variant and kind of connection, when both kinds were sent. */
function connectionsHtml(view: RunView): string {
  if (view.connections.length === 0) return '';
  const rows = view.connections
    .map(
      (r) =>
        `<tr><td>${e(r.variant)}</td><td>${e(r.kind)}</td>${r.cells.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<h2>By connection</h2>
<div class="scroll"><table id="connections"><thead><tr><th>variant</th><th>connection</th>${CONNECTION_COLUMNS.map((c) => `<th>${e(c)}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table></div>
<p class="meta">${e(CONNECTIONS_MEAN)}</p>
`;
}

/** Per endpoint and variant, the endpoints the deploy hurt marked; then the check failures. */
function endpointsHtml(view: RunView): string {
  const parts: string[] = [];
  if (view.endpoints.length > 0) {
    const rows = view.endpoints
      .map(
        (r) =>
          `<tr class="${r.verdict === 'hurt' ? 'hurt' : r.verdict === 'unharmed' ? 'unharmed' : 'not-judged'}"><td>${e(r.endpoint)}</td><td>${e(r.variant)}</td>${r.cells.map((c) => `<td>${e(c)}</td>`).join('')}<td>${r.verdict === 'hurt' ? '⚠ hurt' : e(r.verdict)}</td></tr>`,
      )
      .join('\n');
    parts.push(`<h2>By endpoint</h2>
<div class="scroll"><table id="endpoints"><thead><tr><th>endpoint</th><th>variant</th>${ENDPOINT_COLUMNS.map((c) => `<th>${e(c)}</th>`).join('')}<th>deploy</th></tr></thead><tbody>
${rows}
</tbody></table></div>
<p class="meta">${e(HURT_MEANS)}</p>`);
  }
  if (view.checkExamples.length > 0) {
    const rows = view.checkExamples
      .map(
        (c) =>
          `<tr><td>${e(c.variant)}</td><td>${c.trial}</td><td>${e(c.endpoint)}</td><td>${e(c.check)}</td><td>${c.status}</td><td>${c.count}</td><td><code>${e(showControls(c.body, 'newlines'))}</code></td></tr>`,
      )
      .join('\n');
    parts.push(`<h3>Failed checks (first response of each)</h3>
<div class="scroll"><table id="check-failures" class="timeline"><thead><tr><th>variant</th><th>trial</th><th>endpoint</th><th>check</th><th>status</th><th>count</th><th>body starts</th></tr></thead><tbody>
${rows}
</tbody></table></div>`);
  }
  return parts.map((part) => `${part}\n`).join('');
}

/**
 * Under the verdict and its picture (the lanes, the waits, which stay above the fold): why users
 * were hurt, per variant, one line each, opened for what was seen and what to change.
 */
function findingsHtml(view: RunView): string {
  if (view.findings.length === 0) return '';
  const items = view.findings.flatMap(({ variant, findings }) =>
    findings.length === 0
      ? [`<p class="finding none">${e(`${variant}: ${NOTHING_FOUND}`)}</p>`]
      : findings.map(
          (f) => `<details class="finding ${f.kind}" data-finding="${e(f.id)}">
<summary><b>${e(`${variant}: ${f.title}`)}</b> <small>${e(`(${f.kind === 'fault' ? 'fault' : 'information'}, ${f.trials}) — why, and what to change`)}</small></summary>
<p>${e(f.seen)}</p>
<p><span class="label">Likely cause:</span> ${e(f.cause)}</p>
<p><span class="label">What to change:</span> ${e(f.change)} <small>${e(f.docs)}</small></p>
</details>`,
        ),
  );
  return `<section class="findings" id="findings">
${items.join('\n')}
</section>`;
}

function gatesHtml(gates: readonly GateResult[]): string {
  const summary = gateSummary(gates);
  if (!summary) return '';
  const rows = gateRows(gates)
    .map(
      (g) =>
        `<tr class="${g.evaluated ? (g.passed ? 'pass' : 'fail') : 'not-evaluated'}"><td>${e(g.expression)}</td><td>${e(g.actual)} <small>(${e(g.note)})</small></td><td>${e(g.threshold)}</td><td>${e(gateMark(g))}</td></tr>`,
    )
    .join('\n');
  return `<p class="verdict ${summary.status}" id="verdict">Gates: ${e(summary.text)}</p>
<div class="scroll"><table id="gates" class="timeline"><thead><tr><th>gate</th><th>actual</th><th>threshold</th><th>result</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

function table(id: string, view: RunView, rows: TableRow[]): string {
  return `<div class="scroll"><table id="${id}">
<thead><tr><th></th>${view.variants.map((v) => `<th>${e(v.name)}</th>`).join('')}</tr>
<tr><td></td>${view.variants.map((v) => `<td>${e(v.how)}</td>`).join('')}</tr></thead>
<tbody>
${rows.map((r) => `<tr${r.key ? ' class="key"' : ''}><td>${e(r.label)}</td>${r.cells.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table></div>`;
}

function timeline(variant: string, trial: TrialView): string {
  const events = trial.events
    .map(
      (ev) =>
        `<tr><td>${ev.at.toFixed(2)} s</td><td>${e(ev.phase)}</td><td>${e(ev.detail ?? '')}</td></tr>`,
    )
    .join('');
  const log =
    trial.deployLog.length > 0
      ? `<details><summary>Deploy output (${trial.deployLog.length} lines)</summary><pre>${trial.deployLog
          .map((l) =>
            e(
              `${l.at.toFixed(2).padStart(8)} s ${l.stream === 'stderr' ? '!' : ' '} ${l.source ? `[${l.source}] ` : ''}${l.line}`,
            ),
          )
          .join('\n')}</pre></details>`
      : '';
  return `<h3>${e(`${variant} · trial ${trial.trial}`)} <small>(${e(trial.status)})</small></h3>
<div class="scroll"><table class="timeline"><thead><tr><th>at</th><th>phase</th><th>detail</th></tr></thead><tbody>${events}</tbody></table></div>${log}`;
}
