import type { GateJudge } from '../analysis/analyse.ts';
import type { Finding } from '../analysis/findings/finding.ts';
import { median, type SummarisedTrial } from '../analysis/variant-summary.ts';
import type { Comparator, GateResult, Unit } from '../results/run.ts';
import { formatMs } from '../text/format.ts';
import type { Aggregation, Gate, HistoryStatistic, MetricRef, Operand } from './parse.ts';

/** What a gate reads of a variant: its name, and each trial's figures and findings. */
export interface GatedVariant {
  name: string;
  trials: readonly (SummarisedTrial & { findings: readonly Finding[] })[];
}

/**
 * The past runs a history budget reads (history/ reads them from a `--history` folder): for one
 * variant and one figure, each past run's values, one per trial, oldest run first.
 */
export interface GateHistory {
  pastRuns(variant: string, figure: string): number[][];
  /** The past runs not counted for this figure, in words ("1 that failed it"); undefined: none. */
  leftOut?(variant: string, figure: string): string | undefined;
  /** Fewer past runs than this and a history gate is not judged: "not enough history". */
  minRuns: number;
}

/** What a run without `--history` has: no past run. */
const NO_HISTORY: GateHistory = { pastRuns: () => [], minRuns: 1 };

/** Each comparator of a gate, as a test of its two sides. */
export const COMPARE: Record<Comparator, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

/**
 * Without an explicit aggregation a gate must hold for every trial: the left side takes its worst
 * trial for the comparison (the largest for < and <=, the smallest for > and >=), and a metric on
 * the right its least favourable one. With one trial every aggregation is that trial.
 */
function worst(comparator: Comparator, side: 'left' | 'right'): Aggregation {
  const largestIsWorst =
    comparator === '<' || comparator === '<=' || comparator === '==' || comparator === '!=';
  return largestIsWorst === (side === 'left') ? 'max' : 'min';
}

/**
 * How a gate's left side takes a run's trials, and which way is worse for it: as it judges, so that
 * a history, a place and a trend read runs the same way.
 */
export function takenAs(gate: Pick<Gate, 'left' | 'comparator'>): {
  how: Aggregation;
  lowerIsWorse: boolean;
} {
  return {
    how: gate.left.aggregation ?? worst(gate.comparator, 'left'),
    lowerIsWorse: gate.comparator === '>' || gate.comparator === '>=',
  };
}

/** Values taken together as `how` says; NaN when none is known. */
export function aggregate(values: readonly number[], how: Aggregation): number {
  const known = values.filter((v) => Number.isFinite(v));
  if (known.length === 0) return Number.NaN;
  if (how === 'median') return median(known);
  return how === 'max' ? Math.max(...known) : Math.min(...known);
}

/**
 * Every gate against the variants' trials. `withheld` is why the run did not complete: the gates
 * then show their figures but are not evaluated, and none of them passes.
 */
export function evaluateGates(
  gates: readonly Gate[],
  variants: readonly GatedVariant[],
  withheld?: string,
  history: GateHistory = NO_HISTORY,
): GateResult[] {
  return gates.flatMap((gate) => {
    const names = gate.left.variant === '*' ? variants.map((v) => v.name) : [gate.left.variant];
    return names.map((name) => {
      const result = evaluateOne(gate, name, variants, history);
      if (withheld === undefined) return result;
      return { ...result, evaluated: false, passed: false, problem: `not evaluated: ${withheld}` };
    });
  });
}

function valuesOf(
  ref: MetricRef,
  variantName: string,
  variants: readonly GatedVariant[],
): number[] {
  const variant = variants.find((v) => v.name === variantName);
  if (!variant) return [];
  // Trials measured to their end, as a summary counts them.
  const counted = variant.trials.filter((t) => t.result.status !== 'interrupted');
  return counted.map((trial) => trialFigure(ref, trial));
}

/** One figure of one trial, as a gate names it (`ref`'s variant aside); NaN when it has none. */
export function trialFigure(
  ref: Pick<MetricRef, 'endpoint' | 'phase' | 'metric'>,
  { metrics, findings }: Pick<GatedVariant['trials'][number], 'metrics' | 'findings'>,
): number {
  const { endpoint } = ref;
  if (endpoint === undefined) return ref.metric.value({ ...metrics, findings }, ref.phase);
  // A run saved before endpoints were measured has no figure for one.
  const figures = metrics.endpoints?.find((e) => e.name === endpoint);
  const about = findings.filter((f) => f.evidence.endpoint === endpoint);
  return figures ? ref.metric.value({ ...figures, findings: about }, ref.phase) : Number.NaN;
}

function evaluateOne(
  gate: Gate,
  variant: string,
  variants: readonly GatedVariant[],
  history: GateHistory,
): GateResult {
  const { left, comparator, right } = gate;
  const leftHow = left.aggregation ?? worst(comparator, 'left');
  const leftValues = valuesOf(left, variant, variants);
  const actual = aggregate(leftValues, leftHow);
  const unit = left.metric.unit;
  let threshold: number;
  let budget: GateResult['budget'];
  let leftOut: string | undefined;
  if (right.kind === 'constant') {
    threshold = right.value;
  } else if (right.kind === 'metric') {
    const rightHow = right.ref.aggregation ?? worst(comparator, 'right');
    threshold =
      right.factor * aggregate(valuesOf(right.ref, right.ref.variant, variants), rightHow);
  } else {
    // Each past run counts as this run does: its trials taken the same way as the left side's.
    const past = history
      .pastRuns(variant, figureKey(left))
      .map((trials) => aggregate(trials, leftHow))
      .filter((v) => Number.isFinite(v));
    const value = statisticOf(past, right.statistic);
    threshold = right.factor * value + right.allowance;
    budget = { runs: past.length, needed: history.minRuns, statistic: value };
    leftOut = history.leftOut?.(variant, figureKey(left));
  }
  const rightText = operandText(right, unit);
  const expression = `${refText(left, variant, left.aggregation)} ${comparator} ${rightText}`;
  const trials = leftValues.filter((v) => Number.isFinite(v)).length;
  const basis =
    trials <= 1
      ? trials === 0
        ? 'no trial'
        : '1 trial'
      : left.aggregation
        ? `${leftHow} of ${trials} trials`
        : `worst of ${trials} trials`;
  const base = {
    expression,
    source: gate.source,
    variant,
    evaluated: true,
    actual,
    threshold,
    unit,
    comparator,
    basis,
    ...(budget ? { budget } : {}),
  };
  if (budget && budget.runs < budget.needed) {
    // Not a pass dressed as one: shown, not judged, until the history is long enough.
    return {
      ...base,
      evaluated: false,
      passed: false,
      threshold: Number.NaN,
      problem:
        history === NO_HISTORY
          ? 'no history: run with --history DIR'
          : `not enough history: ${budget.runs} past run${budget.runs === 1 ? '' : 's'}, ${budget.needed} needed${leftOut ? ` (not counted: ${leftOut})` : ''}`,
    };
  }
  if (budget) {
    const name = statisticName((right as Extract<Operand, { kind: 'history' }>).statistic);
    base.basis = `${basis}; ${name} of ${budget.runs} past run${budget.runs === 1 ? '' : 's'}: ${formatValue(budget.statistic, unit)}${leftOut ? ` (not counted: ${leftOut})` : ''}`;
  }
  if (!Number.isFinite(actual) || !Number.isFinite(threshold)) {
    const missing = !Number.isFinite(actual)
      ? refText({ ...left, phase: 'overall' }, variant, undefined)
      : rightText;
    return { ...base, passed: false, problem: `no measured value for ${missing}` };
  }
  return { ...base, passed: COMPARE[comparator](actual, threshold) };
}

/**
 * A figure as a gate names it after its variant: `user-wait`, `during.p99`,
 * `endpoint(assets).errors`. A history record keeps each trial's figures under these names.
 */
export function figureKey(ref: Pick<MetricRef, 'endpoint' | 'phase' | 'metric'>): string {
  const endpoint = ref.endpoint === undefined ? '' : `endpoint(${ref.endpoint}).`;
  return `${endpoint}${ref.phase === 'overall' ? '' : `${ref.phase}.`}${ref.metric.name}`;
}

function refText(ref: MetricRef, variant: string, aggregation: Aggregation | undefined): string {
  const path = `${variant}.${figureKey(ref)}`;
  return aggregation ? `${aggregation}(${path})` : path;
}

function operandText(right: Operand, unit: Unit): string {
  const factor = right.kind !== 'constant' && right.factor !== 1 ? `${right.factor} * ` : '';
  if (right.kind === 'constant') return formatValue(right.value, unit);
  if (right.kind === 'metric')
    return `${factor}${refText(right.ref, right.ref.variant, right.ref.aggregation)}`;
  const allowance =
    right.allowance === 0
      ? ''
      : ` ${right.allowance < 0 ? '-' : '+'} ${formatValue(Math.abs(right.allowance), unit)}`;
  return `${factor}${statisticName(right.statistic)}(history)${allowance}`;
}

function statisticName(statistic: HistoryStatistic): string {
  return 'name' in statistic ? statistic.name : `p${statistic.percentile}`;
}

/**
 * A statistic of past values; percentiles interpolate between the two nearest ranks (as
 * numpy's default and Prometheus' quantiles over samples do), so p100 is the max and p50 the median.
 */
export function statisticOf(values: readonly number[], statistic: HistoryStatistic): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  if ('name' in statistic) {
    if (statistic.name === 'mean') return sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
    if (statistic.name === 'max') return sorted[sorted.length - 1] as number;
    if (statistic.name === 'min') return sorted[0] as number;
    return median(sorted);
  }
  const rank = (Math.min(statistic.percentile, 100) / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (high - low) * (rank - below);
}

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'ms') return formatMs(value);
  if (unit === 'percent') return `${Number(value.toFixed(3))} %`;
  return String(Math.round(value * 1000) / 1000);
}

/**
 * How analyse() judges a run by these gates: evaluated when it completed, shown but not evaluated
 * (never passed) otherwise.
 */
export function judgeBy(gates: readonly Gate[], history?: GateHistory): GateJudge {
  return ({ outcome, variants }) => {
    const withheld =
      outcome.kind === 'failed'
        ? 'the run failed'
        : outcome.kind === 'interrupted'
          ? 'the run was interrupted'
          : undefined;
    return evaluateGates(gates, variants, withheld, history);
  };
}

/**
 * A gate against past runs that had too few of them to judge, in a run that completed: shown, not
 * judged, failing nothing (a run that did not complete says so in its `problem` instead).
 */
export function awaitsHistory(gate: GateResult): boolean {
  return (
    !gate.evaluated &&
    gate.budget !== undefined &&
    gate.budget.runs < gate.budget.needed &&
    !gate.problem?.startsWith('not evaluated:')
  );
}

/**
 * Whether the gates passed: false when one that was judged failed; null when no gate was set, or
 * one was not judged (the run did not complete, or not enough history) and none failed.
 */
export function gatesPassed(gates: readonly GateResult[]): boolean | null {
  if (gates.some((g) => g.evaluated && !g.passed)) return false;
  return gates.length > 0 && gates.every((g) => g.evaluated) ? true : null;
}
