import type { GateJudge } from '../analysis/analyse.ts';
import type { Finding } from '../analysis/findings/finding.ts';
import { median, type SummarisedTrial } from '../analysis/variant-summary.ts';
import type { Comparator, GateResult, Unit } from '../results/run.ts';
import { formatMs } from '../text/format.ts';
import type { Aggregation, Gate, MetricRef } from './parse.ts';

/** What a gate reads of a variant: its name, and each trial's figures and findings. */
export interface GatedVariant {
  name: string;
  trials: readonly (SummarisedTrial & { findings: readonly Finding[] })[];
}

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

function aggregate(values: number[], how: Aggregation): number {
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
): GateResult[] {
  return gates.flatMap((gate) => {
    const names = gate.left.variant === '*' ? variants.map((v) => v.name) : [gate.left.variant];
    return names.map((name) => {
      const result = evaluateOne(gate, name, variants);
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
  const { endpoint } = ref;
  // Trials measured to their end, as a summary counts them.
  const counted = variant.trials.filter((t) => t.result.status !== 'interrupted');
  return counted.map(({ metrics, findings }) => {
    if (endpoint === undefined) return ref.metric.value({ ...metrics, findings }, ref.phase);
    // A run saved before endpoints were measured has no figure for one.
    const figures = metrics.endpoints?.find((e) => e.name === endpoint);
    const about = findings.filter((f) => f.evidence.endpoint === endpoint);
    return figures ? ref.metric.value({ ...figures, findings: about }, ref.phase) : Number.NaN;
  });
}

function evaluateOne(gate: Gate, variant: string, variants: readonly GatedVariant[]): GateResult {
  const { left, comparator, right } = gate;
  const leftHow = left.aggregation ?? worst(comparator, 'left');
  const leftValues = valuesOf(left, variant, variants);
  const actual = aggregate(leftValues, leftHow);
  let threshold: number;
  let rightText: string;
  if (right.kind === 'constant') {
    threshold = right.value;
    rightText = formatValue(right.value, left.metric.unit);
  } else {
    const rightHow = right.ref.aggregation ?? worst(comparator, 'right');
    threshold =
      right.factor * aggregate(valuesOf(right.ref, right.ref.variant, variants), rightHow);
    rightText = `${right.factor === 1 ? '' : `${right.factor} * `}${refText(right.ref, right.ref.variant, right.ref.aggregation)}`;
  }
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
    unit: left.metric.unit,
    comparator,
    basis,
  };
  if (!Number.isFinite(actual) || !Number.isFinite(threshold)) {
    const missing = !Number.isFinite(actual)
      ? refText({ ...left, phase: 'overall' }, variant, undefined)
      : rightText;
    return { ...base, passed: false, problem: `no measured value for ${missing}` };
  }
  return { ...base, passed: COMPARE[comparator](actual, threshold) };
}

function refText(ref: MetricRef, variant: string, aggregation: Aggregation | undefined): string {
  const endpoint = ref.endpoint === undefined ? '' : `endpoint(${ref.endpoint}).`;
  const path = `${variant}.${endpoint}${ref.phase === 'overall' ? '' : `${ref.phase}.`}${ref.metric.name}`;
  return aggregation ? `${aggregation}(${path})` : path;
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
export function judgeBy(gates: readonly Gate[]): GateJudge {
  return ({ outcome, variants }) => {
    const withheld =
      outcome.kind === 'failed'
        ? 'the run failed'
        : outcome.kind === 'interrupted'
          ? 'the run was interrupted'
          : undefined;
    return evaluateGates(gates, variants, withheld);
  };
}

/** Whether every gate passed; null when no gate was set, or the run did not complete. */
export function gatesPassed(gates: readonly GateResult[]): boolean | null {
  return gates.length > 0 && gates.every((g) => g.evaluated) ? gates.every((g) => g.passed) : null;
}
