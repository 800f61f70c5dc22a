import type { AnalysedTrial } from '../analysis/analyse.ts';
import { awaitsHistory, COMPARE, evaluateGates, formatValue } from '../gates/evaluate.ts';
import type { Gate } from '../gates/parse.ts';
import type { Comparator, GateResult, Unit } from '../results/run.ts';

/**
 * A gate while the run goes on:
 * - `holding`: not broken by anything measured so far;
 * - `failed`: broken for good, whatever is measured next (never back);
 * - `pending`: only the whole run can judge it (a median, another variant's figure, a percentile);
 * - `passed` / `not-evaluated`: the run's own verdict, once it ended;
 * - `waiting`: a budget from past runs that had too few of them to judge (it fails nothing).
 */
export type LiveGateStatus =
  | 'holding'
  | 'failed'
  | 'pending'
  | 'passed'
  | 'not-evaluated'
  | 'waiting';

export interface LiveGate {
  /** The gate as written (`*.errors == 0`), and for which variant. */
  source: string;
  expression: string;
  variant: string;
  status: LiveGateStatus;
  /** The value it was judged on, so far (a lower bound while a trial runs); absent when none. */
  actual?: number;
  threshold?: number;
  unit: Unit;
  /** What the status rests on, in words. */
  note: string;
}

/**
 * A running trial's figures that only grow as it goes on, so that a gate they break stays broken:
 * failed requests, and the longest wait (a request in flight has waited at least its age).
 */
export interface RunningFigures {
  trial: number;
  errors: number;
  /** Failed requests per endpoint, in the scenario's order (one for the single `load.request`). */
  errorsByEndpoint: readonly number[];
  /** The longest request, answered or failed, or in flight (its age so far). */
  longestMs: number;
  /** The longest successful request. */
  siegeLongestMs: number;
  /** What the longest user wait is at least, so far. */
  userWaitMs: number;
}

/** What a variant has measured so far: its ended trials analysed, and the one running, if any. */
export interface VariantSoFar {
  name: string;
  ended: readonly AnalysedTrial[];
  running?: RunningFigures;
}

/**
 * The metrics a running trial gives a lower bound of (the `overall` phase only): of the whole load,
 * and failed requests per endpoint too. Undefined where there is none.
 */
function lowerBound(
  metric: string,
  figures: RunningFigures,
  endpoint: number | undefined,
): number | undefined {
  if (metric === 'errors')
    return endpoint === undefined ? figures.errors : figures.errorsByEndpoint[endpoint];
  // The latencies are counted for the whole load: one endpoint's wait is judged at the end.
  if (endpoint !== undefined) return undefined;
  if (metric === 'longest' || metric === 'max') return figures.longestMs;
  if (metric === 'siege-longest') return figures.siegeLongestMs;
  if (metric === 'user-wait') return figures.userWaitMs;
  return undefined;
}

/**
 * Whether a value that can only grow (the worst trial's, or a lower bound) breaks the gate for
 * good: a growing value that is already too large stays too large.
 */
function brokenForGood(comparator: Comparator, actual: number, threshold: number): boolean {
  if (COMPARE[comparator](actual, threshold)) return false;
  return comparator === '<' || comparator === '<=' || (comparator === '==' && actual > threshold);
}

/**
 * Every gate on what has been measured so far. `endpoints`: the scenario's endpoint names, in
 * order. A gate is judged live only where more measurement cannot undo a failure: the worst
 * trial's value (the default aggregation, or `max`) against a constant, with a comparison that
 * growth breaks (`<`, `<=`, `==`). Every other gate waits for the run's end.
 */
export function judgeSoFar(
  gates: readonly Gate[],
  variants: readonly VariantSoFar[],
  endpoints: readonly string[],
): LiveGate[] {
  return gates.flatMap((gate) => {
    const names = gate.left.variant === '*' ? variants.map((v) => v.name) : [gate.left.variant];
    return names.map((name) =>
      judgeOne(
        gate,
        variants.find((v) => v.name === name),
        name,
        endpoints,
      ),
    );
  });
}

function judgeOne(
  gate: Gate,
  variant: VariantSoFar | undefined,
  name: string,
  endpoints: readonly string[],
): LiveGate {
  const { left, comparator, right } = gate;
  const unit = left.metric.unit;
  // The ended trials, exactly as the report will judge them (and the gate's text for this variant).
  const ended = variant?.ended ?? [];
  const [result] = evaluateGates(
    [{ ...gate, left: { ...left, variant: name } }],
    [{ name, trials: ended }],
  ) as [GateResult];
  const { expression } = result;
  const pending = (note: string): LiveGate => ({
    source: gate.source,
    expression,
    variant: name,
    status: 'pending',
    unit,
    note,
  });
  const aggregation = left.aggregation ?? 'max';
  const growing = comparator === '<' || comparator === '<=' || comparator === '==';
  if (right.kind === 'history') return pending('a budget from past runs: judged at the end');
  if (right.kind !== 'constant') return pending('compares with another figure: judged at the end');
  if (aggregation !== 'max' || !growing) return pending('judged when the run ends');
  const threshold = right.value;
  const endedValue = Number.isFinite(result.actual) ? result.actual : undefined;

  // The running trial: a lower bound, for the metrics that only grow, on the whole trial.
  const endpoint = left.endpoint === undefined ? undefined : endpoints.indexOf(left.endpoint);
  const running = variant?.running;
  const runningValue =
    running && left.phase === 'overall' && endpoint !== -1
      ? lowerBound(left.metric.name, running, endpoint)
      : undefined;

  const known = [endedValue, runningValue].filter(
    (v): v is number => v !== undefined && Number.isFinite(v),
  );
  if (known.length === 0)
    return pending(running ? 'judged on each trial as it ends' : 'nothing measured yet');
  const actual = Math.max(...known);
  const shown = `${formatValue(actual, unit)} so far`;
  if (brokenForGood(comparator, actual, threshold)) {
    const where =
      runningValue !== undefined && runningValue === actual && running
        ? `trial ${running.trial}, still running`
        : `a trial that ended`;
    return {
      source: gate.source,
      expression,
      variant: name,
      status: 'failed',
      actual,
      threshold,
      unit,
      note: `${shown} (${where})`,
    };
  }
  return {
    source: gate.source,
    expression,
    variant: name,
    status: 'holding',
    actual,
    threshold,
    unit,
    note: shown,
  };
}

/** The run's own verdicts, once it ended. */
export function judgedAtEnd(results: readonly GateResult[]): LiveGate[] {
  return results.map((g) => ({
    source: g.source,
    expression: g.expression,
    variant: g.variant,
    status: awaitsHistory(g)
      ? 'waiting'
      : !g.evaluated
        ? 'not-evaluated'
        : g.passed
          ? 'passed'
          : 'failed',
    ...(Number.isFinite(g.actual) ? { actual: g.actual } : {}),
    ...(Number.isFinite(g.threshold) ? { threshold: g.threshold } : {}),
    unit: g.unit,
    note: g.problem ?? g.basis,
  }));
}
