import Table from 'cli-table3';
import wrapAnsi from 'wrap-ansi';
import type { AnalysedRun, AnalysedVariant } from '../analysis/analyse.ts';
import type { HistoryPlace, LoadUnder } from '../results/run.ts';
import { forTerminal, showControls } from '../text/escape.ts';
import { formatCount, formatMs } from '../text/format.ts';
import { CONNECTION_COLUMNS, connectionRows, PROBE_NOTE } from '../view/connections.ts';
import { checkExampleRows, ENDPOINT_COLUMNS, endpointRows } from '../view/endpoints.ts';
import { findingsView, NOTHING_FOUND } from '../view/findings.ts';
import { PLACE_COLUMNS, placeLine, placeRows } from '../view/history.ts';
import { describeLoad } from '../view/load.ts';
import { gateMark, gateMiss, gateRows, gateSummary } from '../view/table.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} secs`;

/** siege's closing block, for one variant's trials taken together. */
function siegeBlock(
  { results: variant, trials, totals }: AnalysedVariant,
  load: LoadUnder | undefined,
): string {
  const { overall } = totals;
  const { success } = overall;
  const rows: [string, string][] = [
    ['Transactions', `${overall.requests} hits`],
    ['Availability', `${totals.availability.toFixed(2)} %`],
    ['Elapsed time', seconds(totals.elapsedMs)],
    ['Response time', seconds(totals.meanResponseMs)],
    ['Transaction rate', `${totals.transactionRate.toFixed(2)} trans/sec`],
    ['Successful transactions', String(success.count)],
    ['Failed transactions', String(overall.failures)],
    ['Longest transaction', `${(overall.maxMs / 1000).toFixed(2)}`],
    ['Shortest transaction', `${(success.count > 0 ? success.minMs / 1000 : 0).toFixed(2)}`],
    ['  siege would print', `${(success.maxMs / 1000).toFixed(2)} (successful requests only)`],
    ['Longest user wait', `${(totals.longestUserWaitMs / 1000).toFixed(2)}`],
    ['Disruption', `${(totals.disruptionMs / 1000).toFixed(2)} secs`],
  ];
  const failed = trials.filter((t) => t.result.status === 'failed');
  const lines = [
    // The strategy when the name does not say it already ("stop-start (stop-start)").
    `── ${variant.name}${variant.strategy && variant.strategy !== variant.name ? ` (${variant.strategy})` : ''} · ${trials.length} trial${trials.length === 1 ? '' : 's'}${load ? ` · ${describeLoad(load)}` : ''}`,
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(26)}${value.padStart(14)}`),
    ...failed.map((t) => `Trial ${t.result.trial} failed: ${t.result.failure}`),
  ];
  return lines.join('\n');
}

/** Per endpoint and variant, the ones the deploy hurt marked; then each distinct check failure. */
function endpointsBlock(run: AnalysedRun): string[] {
  const rows = endpointRows(run.variants);
  const examples = checkExampleRows(run);
  const parts: string[] = [];
  if (rows.length > 0) {
    const table = new Table({
      head: ['endpoint', 'variant', ...ENDPOINT_COLUMNS, 'deploy'],
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const row of rows)
      table.push([
        row.endpoint,
        row.variant,
        ...row.cells,
        row.verdict === 'hurt' ? 'HURT' : row.verdict,
      ]);
    parts.push(table.toString());
  }
  for (const c of examples) {
    // The body is the target's: one line, controls shown, never acted on.
    parts.push(
      `Check failed: ${c.variant}, trial ${c.trial}, ${c.endpoint}: ${c.check} (${c.count}×, first: status ${c.status}, body ${JSON.stringify(showControls(c.body))})`,
    );
  }
  return parts;
}

/** Per variant and kind of connection, when both kinds were sent. */
function connectionsBlock(run: AnalysedRun): string[] {
  const rows = connectionRows(run.variants);
  if (rows.length === 0) return [];
  const table = new Table({
    head: ['variant', 'connection', ...CONNECTION_COLUMNS],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push([row.variant, row.kind, ...row.cells]);
  const probed = rows.some((row) => row.probes > 0);
  return [table.toString(), ...(probed ? [wrapAnsi(PROBE_NOTE, FINDING_WIDTH)] : [])];
}

/** Findings' sentences are long: wrapped to a width that reads in any terminal, label hanging. */
const FINDING_WIDTH = 100;

function labelled(label: string, text: string): string {
  const indent = ' '.repeat(4 + label.length);
  const wrapped = wrapAnsi(text, FINDING_WIDTH - indent.length, { hard: true });
  return `    ${label}${wrapped.split('\n').join(`\n${indent}`)}`;
}

/** Under the verdict: why users were hurt, per variant, and what to change. */
function findingsBlock(run: AnalysedRun): string[] {
  const variants = findingsView(run);
  if (variants.length === 0) return [];
  const lines = ['Findings'];
  for (const { variant, findings } of variants) {
    if (findings.length === 0) lines.push(`  ${variant}: ${NOTHING_FOUND}`);
    for (const finding of findings) {
      const mark = finding.kind === 'fault' ? 'FAULT' : 'info';
      lines.push(`  ${variant}: ${mark} ${finding.title} (${finding.trials})`);
      lines.push(labelled('seen:   ', finding.seen));
      lines.push(labelled('likely: ', finding.cause));
      lines.push(labelled('change: ', finding.change));
      lines.push(labelled('more:   ', finding.docs));
    }
  }
  return [lines.join('\n')];
}

/** The terminal summary: a siege-style block per variant, then the variants side by side. */
export function renderTerminal(run: AnalysedRun): string {
  const summaries = run.variants;
  const table = new Table({
    head: ['', ...summaries.map((s) => s.name)],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const row = (label: string, show: (s: (typeof summaries)[number]['summary']) => string) =>
    table.push([label, ...summaries.map((s) => show(s.summary))]);
  const spreadMs =
    (
      metric:
        | 'longestTransactionMs'
        | 'siegeLongestTransactionMs'
        | 'longestUserWaitMs'
        | 'disruptionMs',
    ) =>
    (s: (typeof summaries)[number]['summary']) => {
      const { median, min, max } = s.metrics[metric];
      return s.trials > 1
        ? `${formatMs(median)} (${formatMs(min)}–${formatMs(max)})`
        : formatMs(median);
    };
  row('longest transaction', spreadMs('longestTransactionMs'));
  row('  siege-compatible', spreadMs('siegeLongestTransactionMs'));
  row('longest user wait', spreadMs('longestUserWaitMs'));
  row('disruption', spreadMs('disruptionMs'));
  row('requests', (s) => formatCount(s.metrics.requests.median));
  row('failed', (s) => formatCount(s.metrics.errors.median));
  row('availability', (s) =>
    Number.isFinite(s.metrics.availability.median)
      ? `${s.metrics.availability.median.toFixed(2)} %`
      : '—',
  );
  row('deploy took', (s) => formatMs(s.metrics.deployDurationMs.median));

  // Blocks of zeros for what never ran would read as a measurement: a variant that sent nothing has none.
  const measured = run.variants.filter((v) => v.totals.overall.requests > 0);
  const parts = measured.map((variant) => siegeBlock(variant, run.results.load));
  if (measured.length > 0) parts.push(table.toString(), run.comparison.headline);
  else parts.push('Nothing was measured: no trial was recorded.');
  parts.push(...findingsBlock(run));
  parts.push(...endpointsBlock(run));
  parts.push(...connectionsBlock(run));
  if (run.gates.length > 0) {
    const gates = new Table({
      head: ['gate', 'actual', 'threshold', 'result'],
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const gate of gateRows(run.gates)) {
      // Cells are shown before the table is laid out: a picture is wider than what it shows.
      gates.push([
        showControls(gate.expression),
        showControls(`${gate.actual} (${gate.note})`),
        gate.threshold,
        gateMark(gate),
      ]);
    }
    // By how much each failed gate missed: the number a reviewer asks for first.
    const misses = run.gates.flatMap((gate) => {
      const miss = gateMiss(gate);
      return miss ? [`  ${showControls(gate.expression)}: ${miss}`] : [];
    });
    parts.push(
      [`${gates.toString()}`, `Gates: ${gateSummary(run.gates)?.text}.`, ...misses].join('\n'),
    );
  }
  if (run.history) parts.push(historyBlock(run.history));
  for (const notice of run.notices.saturation) {
    parts.push(`Warning: ${notice}`);
  }
  parts.push(...run.notices.shard);
  parts.push(...run.notices.watch);
  parts.push(...run.notices.onlyClientErrors);
  parts.push(...run.notices.omittedOutput);
  // How the run ended is not here: the command prints it as its very last line (outcomeLine).
  // Names, failures and notices quote deploy output and the target: shown, never acted on.
  return forTerminal(`${parts.join('\n\n')}\n`);
}

/** Where the run stands among its past runs (`--history`). */
function historyBlock(place: HistoryPlace): string {
  const table = new Table({
    head: ['variant', ...PLACE_COLUMNS],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of placeRows(place))
    table.push(
      [
        row.variant,
        row.figure,
        row.value,
        row.median,
        row.p95,
        row.worst,
        row.place,
        row.budget,
      ].map((cell) => showControls(cell)),
    );
  return `${showControls(placeLine(place))}\n${table.toString()}`;
}
