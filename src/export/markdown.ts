import type { GateResult, HistoryPlace } from '../results/run.ts';
import { escapeMarkdown as m, markdownCodeLine, showControls } from '../text/escape.ts';
import { formatMs } from '../text/format.ts';
import { CONNECTION_COLUMNS, CONNECTIONS_MEAN } from '../view/connections.ts';
import { ENDPOINT_COLUMNS, HURT_MEANS } from '../view/endpoints.ts';
import { NOTHING_FOUND } from '../view/findings.ts';
import { PLACE_COLUMNS, placeLine, placeRows } from '../view/history.ts';
import { comparisonTable, gateMark, gateRows, gateSummary } from '../view/table.ts';
import type { RunView } from '../view/view.ts';
import type { Exporter } from './exporter.ts';

const GATE_ICON = { pass: '✅', fail: '❌', 'not-evaluated': '⚠️' } as const;

/** summary.md: the verdict, the comparison table and the charts, ready for a pull-request comment. */
export const markdownExporter: Exporter<'md'> = {
  name: 'md',
  files: /^summary\.md$/,
  render(_run, context) {
    const view = context.view();
    const { results } = view;
    const rows = comparisonTable(view.variants, { connections: view.showConnections });
    const lines = [
      `## deploy-bench: ${m(view.title)}`,
      '',
      ...(view.ended ? endedLines(view.ended) : []),
      `**${m(view.comparison.headline)}**`,
      ...findingsSection(view),
      ...(view.gates.length > 0
        ? [
            '',
            `${GATE_ICON[gateSummary(view.gates)?.status ?? 'pass']} Gates: ${m(gateSummary(view.gates)?.text ?? '')}.`,
          ]
        : []),
      '',
      // How the run went, first; then what it was measured under.
      ...(view.load ? [`Load: ${m(view.load)}.`, ''] : []),
      ...view.notices.map((n) => `> ${m(n)}`),
      ...(view.notices.length > 0 ? [''] : []),
      `| | ${view.variants.map((v) => m(v.name)).join(' | ')} |`,
      `|---|${view.variants.map(() => '---:').join('|')}|`,
      ...rows.map((r) => {
        const label = r.key ? `**${m(r.label)}**` : m(r.label);
        return `| ${label} | ${r.cells.map((c) => (r.key ? `**${m(c)}**` : m(c))).join(' | ')} |`;
      }),
      '',
      'Median over trials (min–max when there are several). Longest transaction includes failed requests; siege-compatible counts successful ones only.',
      '',
      ...endpointsSection(view),
      ...connectionsSection(view),
      ...waitsChart(view),
      ...gatesSection(view.gates),
      ...historySection(view.run.history),
      ...context.pngFiles.map((file) => `![${file.replace(/\.png$/, '')}](${file})`),
      ...(context.pngFiles.length > 0 ? [''] : []),
      `<sub>${m(`${results.tool.name} ${results.tool.version} · ${results.scenarioFile}${results.overrides ? ` (${results.overrides.join(', ')})` : ''} · ${results.startedAt} · ${results.machine.hostname} (${results.machine.cpus} CPUs)`)}</sub>`,
      '',
    ];
    return [{ name: 'summary.md', content: lines.join('\n') }];
  },
};

/**
 * The longest user wait per variant as a Mermaid chart: GitHub draws it on a job's summary page,
 * where the PNGs' relative links show nothing. Mermaid has no log axis, so each bar's name carries
 * its value: a 100 ms bar beside a 4 s one is a sliver, its figure is not.
 */
function waitsChart(view: RunView): string[] {
  const measured = view.variants.filter((v) =>
    Number.isFinite(v.summary.metrics.longestUserWaitMs.median),
  );
  if (measured.length === 0) return [];
  // Inside a code block nothing is escaped: names keep only what cannot end a string or the block.
  const name = (text: string) => `"${showControls(text).replace(/["`[\]\\]/g, ' ')}"`;
  const waits = measured.map((v) => Math.round(v.summary.metrics.longestUserWaitMs.median));
  return [
    '```mermaid',
    'xychart-beta horizontal',
    '    title "Longest user wait (ms), median over trials"',
    `    x-axis [${measured.map((v, i) => name(`${v.name} (${formatMs(waits[i] as number)})`)).join(', ')}]`,
    `    y-axis "milliseconds" 0 --> ${Math.max(1, ...waits)}`,
    `    bar [${waits.join(', ')}]`,
    '```',
    '',
  ];
}

/** How the run ended, in bold; a reason's further lines (a process's last stderr) as a code block. */
function endedLines(ended: string): string[] {
  const [first, ...rest] = ended.split('\n');
  return [
    `> ⚠️ **${m(first ?? '')}**`,
    ...(rest.length > 0
      ? ['>', '> ```', ...rest.map((l) => `> ${markdownCodeLine(l)}`), '> ```']
      : []),
    '',
  ];
}

/** Per endpoint and variant, the endpoints the deploy hurt marked; then the check failures. */
function endpointsSection(view: RunView): string[] {
  if (view.endpoints.length === 0 && view.checkExamples.length === 0) return [];
  const lines: string[] = [];
  if (view.endpoints.length > 0) {
    lines.push(
      '#### By endpoint',
      '',
      `| endpoint | variant | ${ENDPOINT_COLUMNS.join(' | ')} | deploy |`,
      `|---|---|${ENDPOINT_COLUMNS.map(() => '---:').join('|')}|---|`,
      ...view.endpoints.map(
        (row) =>
          `| ${m(row.endpoint)} | ${m(row.variant)} | ${row.cells.map(m).join(' | ')} | ${row.verdict === 'hurt' ? '⚠️ **hurt**' : row.verdict} |`,
      ),
      '',
      HURT_MEANS,
      '',
    );
  }
  if (view.checkExamples.length > 0) {
    lines.push(
      '#### Failed checks (first response of each)',
      '',
      '| variant | trial | endpoint | check | status | count | body starts |',
      '|---|---:|---|---|---:|---:|---|',
      ...view.checkExamples.map(
        (c) =>
          `| ${m(c.variant)} | ${c.trial} | ${m(c.endpoint)} | ${m(c.check)} | ${c.status} | ${c.count} | ${c.body === '' ? '(empty)' : `\`${markdownCodeLine(c.body.replace(/\s+/g, ' ')).replaceAll('|', '\\|')}\``} |`,
      ),
      '',
    );
  }
  return lines;
}

/** Per variant and kind of connection, when both kinds were sent. */
function connectionsSection(view: RunView): string[] {
  if (view.connections.length === 0) return [];
  return [
    '#### By connection',
    '',
    `| variant | connection | ${CONNECTION_COLUMNS.join(' | ')} |`,
    `|---|---|${CONNECTION_COLUMNS.map(() => '---:').join('|')}|`,
    ...view.connections.map(
      (r) => `| ${m(r.variant)} | ${r.kind} | ${r.cells.map(m).join(' | ')} |`,
    ),
    '',
    CONNECTIONS_MEAN,
    '',
  ];
}

/** Under the verdict: each variant's findings, what was seen, the likely cause, what to change. */
function findingsSection(view: RunView): string[] {
  if (view.findings.length === 0) return [];
  const lines = ['', '#### Findings', ''];
  for (const { variant, findings } of view.findings) {
    if (findings.length === 0) lines.push(`- ${m(variant)}: ${m(NOTHING_FOUND)}`);
    for (const f of findings) {
      const title = `${f.kind === 'fault' ? '⚠️ ' : 'ℹ️ '}**${m(variant)}: ${m(f.title)}** (${m(f.trials)})`;
      lines.push(
        `- ${title}. ${m(f.seen)}<br>*Likely cause:* ${m(f.cause)}<br>*What to change:* ${m(f.change)} (\`${f.docs}\`)`,
      );
    }
  }
  return lines;
}

/** Where the run stands among its past runs (`--history`): a table GitHub shows as it is. */
function historySection(place: HistoryPlace | undefined): string[] {
  if (!place) return [];
  return [
    m(placeLine(place)),
    '',
    `| variant | ${PLACE_COLUMNS.map(m).join(' | ')} |`,
    `|---|---|${PLACE_COLUMNS.slice(1)
      .map(() => '---:')
      .join('|')}|`,
    ...placeRows(place).map(
      (r) =>
        `| ${[r.variant, r.figure, r.value, r.median, r.p95, r.worst, r.place, r.budget]
          .map(m)
          .map((c, i) => (i === 2 && r.over ? `**${c}** ❌` : c))
          .join(' | ')} |`,
    ),
    '',
  ];
}

function gatesSection(gates: readonly GateResult[]): string[] {
  if (gates.length === 0) return [];
  return [
    '| gate | actual | threshold | result |',
    '|---|---:|---:|---|',
    ...gateRows(gates).map(
      (g) =>
        // In a table, even a code span ends its cell at a bare |.
        `| \`${markdownCodeLine(g.expression).replaceAll('|', '\\|')}\` | ${m(g.actual)} (${m(g.note)}) | ${m(g.threshold)} | ${g.evaluated && !g.passed ? `**FAIL**${g.miss ? `: ${m(g.miss)}` : ''}` : gateMark(g)} |`,
    ),
    '',
  ];
}
