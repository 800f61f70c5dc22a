import type { TrialMetrics } from '../analysis/trial-metrics.ts';
import { spread } from '../analysis/variant-summary.ts';
import { formatValue } from '../gates/evaluate.ts';
import type { Phase } from '../results/recording.ts';
import type { GateResult } from '../results/run.ts';
import { formatCount, formatMs } from '../text/format.ts';
import type { VariantView } from './view.ts';

export interface TableRow {
  label: string;
  /** One cell per variant, already formatted. */
  cells: string[];
  /** Rows that carry the verdict, shown first and in bold where the format allows. */
  key?: boolean;
  /** Latency percentiles by phase: the HTML page shows them in a table of their own. */
  phase?: boolean;
}

type Pick = (m: TrialMetrics) => number;
type Format = (value: number) => string;

const percent: Format = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} %` : '—');

/**
 * The comparison table of the reports: one column per variant, the median over its trials and, when
 * there are several, the min–max spread.
 */
export function comparisonTable(
  variants: readonly VariantView[],
  options: { connections?: boolean } = {},
): TableRow[] {
  const row = (label: string, pick: Pick, format: Format, key = false): TableRow => ({
    label,
    cells: variants.map((variant) => {
      const values = variant.trials
        .filter((t) => t.status !== 'interrupted')
        .map((t) => pick(t.metrics));
      const { median, min, max } = spread(values);
      if (values.length > 1 && min !== max)
        return `${format(median)} (${format(min)}–${format(max)})`;
      return format(median);
    }),
    ...(key ? { key } : {}),
  });
  const phaseRows = (['before', 'during', 'after'] as Phase[]).flatMap((phase) =>
    (['p50', 'p99', 'p999', 'max'] as const).map((stat) => ({
      ...row(
        `${stat === 'p999' ? 'p99.9' : stat} ${phase}`,
        (m) => m.latency[phase][stat],
        formatMs,
      ),
      phase: true,
    })),
  );
  const anyTrial = (test: (m: TrialMetrics) => boolean) =>
    variants.some((v) => v.trials.some((t) => test(t.metrics)));
  const alternateRows = (['overall', 'during'] as const).flatMap((phase) =>
    (['p50', 'p99', 'p999'] as const).flatMap((stat) => {
      // Shown where the two views differ, by more than the histogram's own 0.1 % resolution.
      const differs = anyTrial((m) => {
        const other = m.alternateLatency?.[phase][stat];
        const main = m.latency[phase][stat];
        return (
          other !== undefined &&
          Number.isFinite(other) &&
          Math.abs(other - main) > 0.01 * Math.max(main, 1)
        );
      });
      if (!differs) return [];
      const kind = variants.flatMap((v) => v.trials).find((t) => t.metrics.alternateLatency)
        ?.metrics.alternateLatency?.kind;
      const label = `${stat === 'p999' ? 'p99.9' : stat} ${phase === 'overall' ? 'all' : phase}, ${kind === 'service' ? 'service time' : 'corrected for coordinated omission'}`;
      return [
        {
          ...row(label, (m) => m.alternateLatency?.[phase][stat] ?? Number.NaN, formatMs),
          phase: true,
        },
      ];
    }),
  );
  return [
    row('longest transaction', (m) => m.longestTransactionMs, formatMs, true),
    row('siege-compatible longest', (m) => m.siegeLongestTransactionMs, formatMs),
    row('longest user wait', (m) => m.longestUserWaitMs, formatMs, true),
    row('failed requests', (m) => m.errors, formatCount, true),
    row('disruption', (m) => m.disruptionMs, formatMs),
    row('impact window', (m) => m.impactWindowMs, formatMs),
    row('availability', (m) => m.availability, percent),
    row('requests', (m) => m.requests, formatCount),
    row('refused', (m) => m.errorsByKind.refused, formatCount),
    row('reset', (m) => m.errorsByKind.reset, formatCount),
    row('timed out', (m) => m.errorsByKind.timeout, formatCount),
    row('other errors', (m) => m.errorsByKind.other, formatCount),
    row('5xx responses', (m) => m.errorsByKind.http5xx, formatCount),
    ...(anyTrial((m) => m.errorsByKind.check > 0)
      ? [row('failed checks', (m) => m.errorsByKind.check, formatCount)]
      : []),
    ...(options.connections
      ? [row('connections opened', (m) => m.connections ?? Number.NaN, formatCount)]
      : []),
    ...(anyTrial((m) => m.dropped > 0)
      ? [row('dropped arrivals', (m) => m.dropped, formatCount)]
      : []),
    ...(anyTrial((m) => m.retried > 0)
      ? [row('retried (keep-alive race)', (m) => m.retried, formatCount)]
      : []),
    row('deploy took', (m) => m.deployDurationMs, formatMs),
    ...phaseRows,
    ...alternateRows,
  ];
}

export interface GateRow {
  expression: string;
  actual: string;
  threshold: string;
  evaluated: boolean;
  passed: boolean;
  note: string;
  /** By how much a failed gate missed (`gateMiss`). */
  miss?: string;
}

/** The gates as every format shows them: expression, actual (and how it was taken), threshold. */
export function gateRows(gates: readonly GateResult[]): GateRow[] {
  return gates.map((gate) => ({
    expression: gate.expression,
    actual: formatValue(gate.actual, gate.unit),
    threshold: `${gate.comparator} ${formatValue(gate.threshold, gate.unit)}`,
    evaluated: gate.evaluated,
    passed: gate.passed,
    // A withheld gate says so in its mark; its note is still how the figure was taken, or why a
    // budget from past runs could not be set.
    note: gate.evaluated || gate.budget ? (gate.problem ?? gate.basis) : gate.basis,
    ...missOf(gate),
  }));
}

function missOf(gate: GateResult): { miss?: string } {
  const miss = gateMiss(gate);
  return miss ? { miss } : {};
}

/** A gate's result in a word: pass, FAIL, or "not evaluated" for a run that did not complete. */
export function gateMark(gate: { evaluated: boolean; passed: boolean }): string {
  if (!gate.evaluated) return 'not evaluated';
  return gate.passed ? 'pass' : 'FAIL';
}

/**
 * How the run's gates went, for every format ("all 3 gates passed", "1 of 3 gates failed", "not
 * evaluated…"; undefined without gates); `status` picks the colour or the icon.
 */
export function gateSummary(
  gates: readonly GateResult[],
): { status: 'pass' | 'fail' | 'not-evaluated'; text: string } | undefined {
  if (gates.length === 0) return undefined;
  const plural = gates.length === 1 ? '' : 's';
  const withheld = gates.filter((g) => !g.evaluated);
  const judged = gates.length - withheld.length;
  if (judged === 0) {
    const why = withheld[0]?.problem?.replace(/^not evaluated: /, '') ?? 'the run did not complete';
    return {
      status: 'not-evaluated',
      text: `not evaluated (${gates.length} gate${plural}): ${why}`,
    };
  }
  // Gates judged, and some that a history too short left unjudged: both said.
  const unjudged =
    withheld.length === 0
      ? ''
      : `; ${withheld.length} not evaluated: ${withheld[0]?.problem ?? 'not judged'}`;
  const failed = gates.filter((g) => g.evaluated && !g.passed).length;
  if (failed > 0)
    return { status: 'fail', text: `${failed} of ${gates.length} gate${plural} failed${unjudged}` };
  if (withheld.length > 0)
    return {
      status: 'not-evaluated',
      text: `${judged} of ${gates.length} gate${plural} passed${unjudged}`,
    };
  return {
    status: 'pass',
    text: gates.length === 1 ? 'the gate passed' : `all ${gates.length} gates passed`,
  };
}

/**
 * By how much a failed gate missed: "0.48 s (30 %) over 1.62 s", for the summary's last lines and
 * CI annotations; undefined for a gate that passed, was not judged, or has no figure.
 */
export function gateMiss(gate: GateResult): string | undefined {
  if (!gate.evaluated || gate.passed) return undefined;
  const { actual, threshold, unit } = gate;
  if (!Number.isFinite(actual) || !Number.isFinite(threshold)) return undefined;
  const direction = actual >= threshold ? 'over' : 'under';
  const difference = Math.abs(actual - threshold);
  const percent =
    threshold === 0 ? '' : ` (${Number(((100 * difference) / Math.abs(threshold)).toFixed(1))} %)`;
  if (difference === 0) return `${formatValue(actual, unit)}, not allowed (${gate.comparator})`;
  return `${formatValue(actual, unit)} is ${formatValue(difference, unit)}${percent} ${direction} ${formatValue(threshold, unit)}`;
}
