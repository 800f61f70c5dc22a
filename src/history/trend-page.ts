import { pageHead, vendorScripts } from '../export/html.ts';
import { formatValue } from '../gates/evaluate.ts';
import {
  escapeHtml as e,
  jsonForScript,
  escapeMarkdown as m,
  markdownCodeLine,
  showControls,
} from '../text/escape.ts';
import { colourOf } from '../view/charts/style.ts';
import { type TrendChart, trendChart } from '../view/charts/trend.ts';
import type { FigureTrend, ScenarioTrend, Trend, TrendRun } from './trend.ts';

const STYLE = `
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1360px; padding: 16px 24px; color: #222; overflow-wrap: anywhere; }
  h1 { margin: 0 0 2px; font-size: 24px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
  .meta { color: #666; margin: 0 0 8px; font-size: 13px; }
  .notice { padding: 8px 16px; background: #fff4e5; border-left: 4px solid #ff7f0e; margin: 8px 0; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(520px, 100%), 1fr)); gap: 20px; }
  figure { margin: 0; min-width: 0; } .chart { position: relative; } figcaption { color: #666; font-size: 12px; margin-top: 2px; }
  .scroll { overflow-x: auto; max-width: 100%; }
  table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: left; } th, td.when { white-space: nowrap; }
  td.n { text-align: right; } thead th { border-bottom: 2px solid #ccc; }
  tr.broke td { color: #b71c1c; } tr.broke td.result { font-weight: 600; }
  @media (max-width: 600px) { body { padding: 10px; } }
`;

/** Draws the charts; a click on a point opens that run's report when there is one. */
const INIT = `
  (function () {
    var charts = JSON.parse(document.getElementById('trend-charts').textContent);
    charts.forEach(function (spec) {
      var config = spec.config;
      config.options = Object.assign({}, config.options, {
        responsive: true,
        maintainAspectRatio: false,
        onClick: function (event, elements) {
          var first = elements[0];
          var link = first && spec.links[first.index];
          if (link) window.location.href = link;
        },
      });
      new Chart(document.getElementById('chart-' + spec.id), config);
    });
    document.documentElement.setAttribute('data-charts', 'ready');
  })();
`;

/** How a figure is titled: `preboot user-wait`. */
function seriesTitle(series: FigureTrend): string {
  return `${series.variant} ${series.figure}`;
}

function chartsOf(scenario: ScenarioTrend, s: number): TrendChart[] {
  const variants = [...new Set(scenario.series.map((f) => f.variant))];
  return scenario.series.map((series, i) =>
    trendChart({
      id: `${s}-${i}`,
      title: seriesTitle(series),
      unit: series.unit,
      colour: colourOf(variants.indexOf(series.variant)),
      points: series.points,
    }),
  );
}

/** history.html: one self-contained page (Chart.js inlined), each scenario's figures over its runs. */
export function renderTrendHtml(trend: Trend): string {
  const charts = trend.scenarios.map(chartsOf);
  return `${pageHead(`deploy-bench history — ${trend.folder}`, STYLE)}
<body>
<h1>${e('deploy-bench history')}</h1>
<p class="meta">${e(`${trend.folder}: ${trend.scenarios.reduce((n, s) => n + s.runs.length, 0)} runs of ${trend.scenarios.length} scenario${trend.scenarios.length === 1 ? '' : 's'}`)}</p>
${trend.refused.length > 0 ? `<div class="notice" id="refused"><p>${e(`Not counted (${trend.refused.length}):`)}</p><ul>${trend.refused.map((r) => `<li>${e(`${r.file}: ${r.reason}`)}</li>`).join('')}</ul></div>` : ''}
${trend.scenarios.length === 0 ? `<p id="empty">${e('No run recorded yet: bench run … --history adds one each time.')}</p>` : ''}
${trend.scenarios
  .map(
    (scenario, s) => `<section class="scenario" data-scenario="${e(scenario.scenario)}">
<h2>${e(heading(scenario))}</h2>
<p class="meta">${e(scenarioLine(scenario))}</p>
<div class="charts">
${(charts[s] ?? [])
  .map(
    (chart) =>
      `<figure data-series="${e(chart.title)}"><div class="chart" style="height:${chart.height}px"><canvas id="chart-${chart.id}" role="img" aria-label="${e(chart.title)}"></canvas></div><figcaption>${e(chart.caption)}</figcaption></figure>`,
  )
  .join('\n')}
</div>
${runsTable(scenario)}
</section>`,
  )
  .join('\n')}
<script type="application/json" id="trend-charts">${jsonForScript(
    charts.flat().map(({ id, config, links }) => ({ id, config, links })),
  )}</script>
<script>${vendorScripts()}</script>
<script>${INIT}</script>
</body>
</html>
`;
}

function scenarioLine(scenario: ScenarioTrend): string {
  const { runs } = scenario;
  const first = runs[0];
  const last = runs.at(-1);
  const broke = runs.filter((r) => r.failed.length > 0).length;
  const span = first && last ? `, ${first.startedAt} to ${last.startedAt}` : '';
  return `${runs.length} run${runs.length === 1 ? '' : 's'}${span}; ${broke} failed a gate. A click on a point opens its report.`;
}

/** How a run's gates went: not a pass where nothing was judged. */
function runResult(run: TrendRun): string {
  const waiting = `${run.waiting} gate${run.waiting === 1 ? '' : 's'} waiting for history`;
  if (run.failed.length > 0) return `failed: ${run.failed.join('; ')}`;
  if (run.judged === 0) return run.waiting > 0 ? `not judged: ${waiting}` : 'no gates';
  return run.waiting > 0 ? `passed; ${waiting}` : 'passed';
}

function runsTable(scenario: ScenarioTrend): string {
  const head = [
    '#',
    'when (UTC)',
    'commit',
    'branch',
    ...scenario.series.map(seriesTitle),
    'gates',
    'report',
  ];
  const rows = scenario.runs.map((run, i) => {
    const cells = scenario.series.map((series) => {
      const point = series.points[i];
      return `<td class="n${point?.broke ? ' over' : ''}">${e(point ? formatValue(point.value, series.unit) : '—')}</td>`;
    });
    const link = [
      run.report ? `<a href="${e(run.report)}">report</a>` : '',
      run.url ? `<a href="${e(run.url)}" rel="noopener">CI job</a>` : '',
    ].join(' ');
    return `<tr data-run="${run.number}"${run.failed.length > 0 ? ' class="broke" data-broke="true"' : ''}><td class="n">${run.number}</td><td class="when">${e(when(run.startedAt))}</td><td>${e(run.commit?.slice(0, 12) ?? '')}</td><td>${e(run.branch ?? '')}</td>${cells.join('')}<td class="result">${e(runResult(run))}</td><td>${link}</td></tr>`;
  });
  return `<div class="scroll"><table class="runs"><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`;
}

/**
 * history.md: each scenario's runs as a table and each figure as a Mermaid chart, which GitHub
 * draws in a pull request, a job summary or a wiki page. Mermaid draws every point, so a run
 * without the figure is left out of its chart; the budget is the one the newest run was held to.
 */
export function renderTrendMarkdown(
  trend: Trend,
  options: { only?: string; links?: 'all' | 'web' } = {},
): string {
  const { only, links = 'all' } = options;
  const scenarios = trend.scenarios.filter((s) => only === undefined || s.scenario === only);
  const lines: string[] = [];
  for (const scenario of scenarios) {
    lines.push(
      `## deploy-bench history: ${m(heading(scenario))}`,
      '',
      m(scenarioLine(scenario).replace(/ A click.*$/, '')),
      '',
    );
    const head = ['#', 'when (UTC)', 'commit', ...scenario.series.map(seriesTitle), 'gates'];
    lines.push(
      `| ${head.map(m).join(' | ')} |`,
      `|${head.map((_, i) => (i === 0 || (i > 2 && i < head.length - 1) ? '---:' : '---')).join('|')}|`,
    );
    scenario.runs.forEach((run, i) => {
      const values = scenario.series.map((series) => {
        const point = series.points[i];
        const text = m(point ? formatValue(point.value, series.unit) : '—');
        return point?.broke ? `**${text}** ❌` : text;
      });
      // A pull request or a job summary can open the CI job's page; a relative path only works beside
      // history.md, never on a job summary.
      const target = run.url ?? (links === 'all' ? run.report : undefined);
      const number = target ? `[${run.number}](${linkTarget(target)})` : String(run.number);
      const result =
        run.failed.length > 0
          ? `❌ ${m(run.failed.join('; '))}`
          : run.judged === 0
            ? run.waiting > 0
              ? '⏳ waiting for history'
              : '—'
            : run.waiting > 0
              ? '✅ ⏳'
              : '✅';
      lines.push(
        `| ${[number, m(when(run.startedAt)), m(run.commit?.slice(0, 7) ?? ''), ...values, result].join(' | ')} |`,
      );
    });
    lines.push('');
    for (const series of scenario.series) lines.push(...mermaidChart(series, scenario.runs), '');
  }
  if (trend.refused.length > 0)
    lines.push(
      `> Not counted: ${trend.refused.map((r) => m(`${r.file} (${r.reason})`)).join('; ')}`,
      '',
    );
  if (scenarios.length === 0) lines.push('No run recorded yet.', '');
  return lines.join('\n');
}

/**
 * A figure over every run that has it, as a line; the budget each run was held to as bars behind
 * it (none where a run was held to none: Mermaid draws a line through every point, a bar of 0 is
 * no bar).
 */
function mermaidChart(series: FigureTrend, runs: readonly TrendRun[]): string[] {
  const shown = series.points.flatMap((point, i) =>
    Number.isFinite(point.value) ? [{ point, run: runs[i] as TrendRun }] : [],
  );
  if (shown.length === 0) return [];
  const round = (v: number) => Number(v.toFixed(series.unit === 'percent' ? 3 : 1));
  const budgeted = shown.some((s) => s.point.budget !== undefined);
  const from = shown[0]?.run.number;
  const to = shown.at(-1)?.run.number;
  const span = from === to ? `run #${from}` : `runs #${from}–#${to}`;
  const title = `${seriesTitle(series)}, ${span}${budgeted ? '; bars: the budget each run was held to' : ''}`;
  const axis = { ms: 'milliseconds', count: 'count', percent: '%' }[series.unit];
  const top = Math.max(1, ...shown.map((s) => Math.max(s.point.value, s.point.budget ?? 0)));
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${mermaidText(title)}"`,
    `    x-axis [${shown.map((s) => `"#${s.run.number}"`).join(', ')}]`,
    `    y-axis "${axis}" 0 --> ${round(top * 1.1)}`,
    ...(budgeted ? [`    bar [${shown.map((s) => round(s.point.budget ?? 0)).join(', ')}]`] : []),
    `    line [${shown.map((s) => round(s.point.value)).join(', ')}]`,
    '```',
  ];
}

/** A scenario's heading: its name, and its conditions when it ran under several. */
function heading(scenario: ScenarioTrend): string {
  return scenario.label ? `${scenario.scenario} (${scenario.label})` : scenario.scenario;
}

/** Inside a Mermaid string nothing is escaped: only what cannot end it or the code block stays. */
function mermaidText(text: string): string {
  return markdownCodeLine(showControls(text)).replace(/["`[\]\\]/g, ' ');
}

/**
 * A link's target in Markdown: what could end the link, the cell or the table is percent-encoded
 * (encodeURIComponent leaves `(` `)` alone).
 */
function linkTarget(target: string): string {
  return target.replace(
    /[()[\]|<>\s"'`\\]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** A run's start as the tables show it: `2026-01-02 03:04`, in UTC (the column says so). */
function when(startedAt: string): string {
  return startedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, '');
}
