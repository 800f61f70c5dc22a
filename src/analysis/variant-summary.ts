import type { TrialResult } from '../results/run.ts';
import { type ConfidenceInterval, medianConfidenceInterval } from './statistics.ts';
import type { TrialMetrics } from './trial-metrics.ts';

/** Metrics summarised over a variant's trials. */
export const SUMMARY_METRICS = [
  'longestTransactionMs',
  'siegeLongestTransactionMs',
  'longestUserWaitMs',
  'disruptionMs',
  'requests',
  'errors',
  'availability',
  'deployDurationMs',
] as const satisfies readonly (keyof TrialMetrics)[];

export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** 95 % confidence interval of the median (order statistics); absent with fewer than 2 trials. */
  ci?: ConfidenceInterval;
}

/** A metric over a variant's trials: its spread, and the value of each trial for rank tests. */
export interface MetricSummary extends Spread {
  values: number[];
}

export interface VariantSummary {
  /** Trials measured to their end (a failed deploy's included), the ones summarised. */
  trials: number;
  failedTrials: number;
  /** Trials cut short by an interruption: shown, not summarised. */
  interruptedTrials: number;
  metrics: Record<SummaryMetric, MetricSummary>;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  const known = values.filter((v) => !Number.isNaN(v));
  const ci = medianConfidenceInterval(known);
  return {
    median: median(known),
    min: known.length > 0 ? Math.min(...known) : Number.NaN,
    max: known.length > 0 ? Math.max(...known) : Number.NaN,
    ...(ci ? { ci } : {}),
  };
}

/** A trial as a summary reads it: how it ended, and its figures. */
export interface SummarisedTrial {
  result: Pick<TrialResult, 'status'>;
  metrics: TrialMetrics;
}

/** A metric's value in each trial that ran to its end. */
export function trialValues(
  trials: readonly SummarisedTrial[],
  metric: (m: TrialMetrics) => number,
): number[] {
  return trials.filter((t) => t.result.status !== 'interrupted').map((t) => metric(t.metrics));
}

/** Trials that were measured to their end count; an interrupted one is shown but not summarised. */
export function summarizeVariant(trials: readonly SummarisedTrial[]): VariantSummary {
  const counted = trials.filter((t) => t.result.status !== 'interrupted');
  return {
    trials: counted.length,
    failedTrials: counted.filter((t) => t.result.status === 'failed').length,
    interruptedTrials: trials.length - counted.length,
    metrics: Object.fromEntries(
      SUMMARY_METRICS.map((name) => {
        const values = counted.map((t) => t.metrics[name]);
        return [name, { ...spread(values), values }];
      }),
    ) as Record<SummaryMetric, MetricSummary>,
  };
}
