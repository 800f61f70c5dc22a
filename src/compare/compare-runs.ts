import type { AnalysedRun } from '../analysis/analyse.ts';
import { tellApart } from '../analysis/statistics.ts';
import type { SummaryMetric } from '../analysis/variant-summary.ts';
import type { RunResults } from '../results/run.ts';

/** The figures a change can make worse for users, lower being better for each. */
const COMPARED_METRICS: { metric: SummaryMetric; label: string; unit: 'ms' | 'count' }[] = [
  { metric: 'longestTransactionMs', label: 'longest transaction', unit: 'ms' },
  { metric: 'siegeLongestTransactionMs', label: 'siege-compatible longest', unit: 'ms' },
  { metric: 'longestUserWaitMs', label: 'longest user wait', unit: 'ms' },
  { metric: 'disruptionMs', label: 'disruption', unit: 'ms' },
  { metric: 'errors', label: 'failed requests', unit: 'count' },
];

/** A latency that moved by less than this is the same, whatever the ratio (0.2 ms → 0.4 ms is not 2×). */
const NEGLIGIBLE_MS = 1;

export interface MetricDelta {
  variant: string;
  metric: SummaryMetric;
  label: string;
  unit: 'ms' | 'count';
  base: { median: number; values: number[] };
  head: { median: number; values: number[] };
  /** head / base − 1 of the medians; null when the base is 0 or a side has no figure. */
  change: number | null;
  /** False when a side has no figure (nothing measured): such a delta never passes as "same". */
  comparable: boolean;
  /** Worse by more than the allowed margin, and beyond the noise of the trials. */
  regression: boolean;
  /** Better by more than the margin, beyond the noise. */
  improvement: boolean;
  /** How the noise was judged. */
  evidence: string;
}

/** A run with no trial measured to its end has no figure to compare: refused as bad input. */
export function hasMeasuredTrial(results: RunResults): boolean {
  return results.variants.some((v) => v.trials.some((t) => t.status !== 'interrupted'));
}

/** One side of a comparison: which run, and how it ended (an interrupted run covers part of one). */
export interface ComparedRun {
  file: string;
  startedAt: string;
  scenario: string;
  outcome: AnalysedRun['outcome']['kind'];
}

export interface RunComparison {
  base: ComparedRun;
  head: ComparedRun;
  /** Allowed worsening, as a fraction (0.2 for 20 %). */
  maxRegression: number;
  deltas: MetricDelta[];
  /** Variants found in only one of the two runs: not compared. */
  unmatched: string[];
  regressions: number;
  /** Deltas with no figure on a side: they fail the comparison, as a gate with nothing to read does. */
  notComparable: number;
  passed: boolean;
}

/** Worse than `base` by more than `margin`? (`worse(b, h)` for lower-is-better figures.) */
function worseBeyond(base: number, head: number, margin: number, unit: 'ms' | 'count'): boolean {
  if (unit === 'ms' && head - base < NEGLIGIBLE_MS) return false;
  if (base === 0) return head > 0;
  return head > base * (1 + margin);
}

/**
 * Metric by metric and variant by variant: HEAD against BASE. A regression needs the median to be
 * worse by more than the margin *and* the trials to tell it, by the verdict's rule (tellApart): the
 * exact rank test at 5 % when the trials are enough for it to reach that (4 on each side, or 3 and
 * 5…); with fewer, every HEAD trial worse than every BASE trial by more than the margin.
 */
export function compareRuns(
  base: { file: string; run: AnalysedRun },
  head: { file: string; run: AnalysedRun },
  maxRegression: number,
): RunComparison {
  const baseNames = base.run.variants.map((v) => v.name);
  const headNames = head.run.variants.map((v) => v.name);
  const unmatched = [
    ...baseNames.filter((n) => !headNames.includes(n)),
    ...headNames.filter((n) => !baseNames.includes(n)),
  ];
  const deltas: MetricDelta[] = [];
  for (const headVariant of head.run.variants) {
    const baseVariant = base.run.variants.find((v) => v.name === headVariant.name);
    if (!baseVariant) continue;
    const baseSummary = baseVariant.summary;
    const headSummary = headVariant.summary;
    for (const { metric, label, unit } of COMPARED_METRICS) {
      const b = baseSummary.metrics[metric];
      const h = headSummary.metrics[metric];
      const comparable = Number.isFinite(b.median) && Number.isFinite(h.median);
      const judged = judge(b.values, h.values, maxRegression, unit);
      deltas.push({
        variant: headVariant.name,
        metric,
        label,
        unit,
        base: { median: b.median, values: b.values },
        head: { median: h.median, values: h.values },
        change: comparable && b.median > 0 ? h.median / b.median - 1 : null,
        comparable,
        regression:
          comparable && worseBeyond(b.median, h.median, maxRegression, unit) && judged.worse,
        improvement:
          comparable && worseBeyond(h.median, b.median, maxRegression, unit) && judged.better,
        evidence: judged.evidence,
      });
    }
  }
  const regressions = deltas.filter((d) => d.regression).length;
  const notComparable = deltas.filter((d) => !d.comparable).length;
  const describe = (side: { file: string; run: AnalysedRun }): ComparedRun => ({
    file: side.file,
    startedAt: side.run.results.startedAt,
    scenario: side.run.results.scenario.name,
    outcome: side.run.outcome.kind,
  });
  return {
    base: describe(base),
    head: describe(head),
    maxRegression,
    deltas,
    unmatched,
    regressions,
    notComparable,
    passed: regressions === 0 && notComparable === 0,
  };
}

/** Worse and better as the verdict tells a winner: one rule (analysis/statistics.ts tellApart). */
function judge(base: number[], head: number[], margin: number, unit: 'ms' | 'count') {
  const known = (values: number[]) => values.filter((v) => Number.isFinite(v));
  const b = known(base);
  const h = known(head);
  const worse = tellApart(h, b, (x, y) => worseBeyond(y, x, margin, unit));
  const better = tellApart(h, b, (x, y) => worseBeyond(x, y, margin, unit));
  return {
    worse: worse.told,
    better: better.told,
    beyondNoise: worse.beyondNoise,
    evidence: worse.told || !better.told ? worse.evidence : better.evidence,
  };
}
