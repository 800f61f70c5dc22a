import { emptyBucket, mergeBucket } from '../results/bucket.ts';
import type { Bucket } from '../results/recording.ts';
import type {
  GateResult,
  HistoryPlace,
  RunResults,
  TrialResult,
  VariantResults,
} from '../results/run.ts';
import { findingsOf, type VariantFinding, variantFindings } from './findings/find.ts';
import type { Finding } from './findings/finding.ts';
import { type Instance, trialInstances } from './instances.ts';
import {
  omittedOutputNotes,
  onlyClientErrorNotices,
  saturationNotices,
  shardNotices,
  watchNotices,
} from './notices.ts';
import { type RunOutcome, runOutcome } from './outcome.ts';
import { type TrialMetrics, trialMetrics } from './trial-metrics.ts';
import { summarizeVariant, type VariantSummary } from './variant-summary.ts';
import { type Comparison, compareVariants } from './verdict.ts';

/** One trial with every figure derived from its recording. */
export interface AnalysedTrial {
  /** What was measured, as recorded. */
  result: TrialResult;
  metrics: TrialMetrics;
  /** The instances, their lives and their traffic, as lanes. */
  instances: Instance[];
  /** Why users were hurt, as far as the recording shows it, and what to change (docs/diagnosis.md). */
  findings: Finding[];
  /** What its deploy printed beyond what is kept, one note per command. */
  omittedOutput: string[];
}

/** A variant's trials taken together, as siege's closing block shows one run. */
export interface VariantTotals {
  /** Every trial's requests in one bucket, for the percentile distribution. */
  overall: Bucket;
  elapsedMs: number;
  /** Successful requests as a percentage of all; 0 when none was made. */
  availability: number;
  /** Mean response time of successful requests; 0 when none succeeded. */
  meanResponseMs: number;
  /** Successful requests per second of elapsed time. */
  transactionRate: number;
  /** The worst trial's (0 when no trial ran). */
  longestUserWaitMs: number;
  disruptionMs: number;
}

export interface AnalysedVariant {
  /** What was measured, as recorded. */
  results: VariantResults;
  name: string;
  trials: AnalysedTrial[];
  /** The trials that ran to their end, summarised: medians, spreads, confidence intervals. */
  summary: VariantSummary;
  totals: VariantTotals;
  /** Each finding of its trials once, with how many trials had it. */
  findings: VariantFinding[];
}

/** Things a reader must know to trust the figures, each one sentence, in every report. */
export interface RunNotices {
  /** Trials in which deploy-bench itself was saturated. */
  saturation: string[];
  /** Which shards are merged, and how well their clocks agree. */
  shard: string[];
  /** `bench watch`: what the deploy's window was found from, or that none was. */
  watch: string[];
  /** Deploy and hook output left out. */
  omittedOutput: string[];
  /** Requests answered only with 4xx, which count as successes without an `expect`. */
  onlyClientErrors: string[];
}

/** A run with every figure the reports show, derived once: exporters only format it. */
export interface AnalysedRun {
  /** What was measured, as recorded (and as results.json keeps it). */
  results: RunResults;
  outcome: RunOutcome;
  variants: AnalysedVariant[];
  /** Variant against variant, and the verdict. */
  comparison: Comparison;
  /** The run's gates, judged on these figures (or as a saved run was judged). */
  gates: GateResult[];
  notices: RunNotices;
  /** With `--history`: where the run stands among the scenario's past runs. */
  history?: HistoryPlace;
}

/**
 * How a run's gates are judged on its figures: gates/evaluate.ts `judgeBy(gates)` for a run just
 * measured; a saved run's own verdicts (`() => saved.gates`) when it is read back.
 */
export type GateJudge = (run: Pick<AnalysedRun, 'outcome' | 'variants'>) => GateResult[];

/** A run without gates. */
const NO_GATES: GateJudge = () => [];

/**
 * Where a run stands in its history (history/ `placeInHistory` for a run just measured; a saved
 * run's own place when it is read back); undefined without a history.
 */
export type HistoryPlacer = (
  run: Pick<AnalysedRun, 'outcome' | 'variants' | 'gates'>,
) => HistoryPlace | undefined;

export function analyseTrial(result: TrialResult, where: string): AnalysedTrial {
  return {
    result,
    metrics: trialMetrics(result.recording),
    instances: trialInstances(result.recording),
    findings: findingsOf(result.recording),
    omittedOutput: omittedOutputNotes(where, result.deployLog),
  };
}

function analyseVariant(variant: VariantResults): AnalysedVariant {
  const trials = variant.trials.map((trial) =>
    analyseTrial(trial, `${variant.name}, trial ${trial.trial}`),
  );
  return {
    results: variant,
    name: variant.name,
    trials,
    summary: summarizeVariant(trials),
    totals: totalsOf(trials),
    findings: variantFindings(trials),
  };
}

function totalsOf(trials: readonly AnalysedTrial[]): VariantTotals {
  const overall = emptyBucket();
  for (const trial of trials) mergeBucket(overall, trial.result.recording.overall);
  const elapsedMs = trials.reduce((sum, t) => sum + t.result.recording.durationMs, 0);
  const worst = (pick: (m: TrialMetrics) => number) =>
    Math.max(0, ...trials.map((t) => pick(t.metrics)));
  const { success } = overall;
  return {
    overall,
    elapsedMs,
    availability: overall.requests > 0 ? (100 * success.count) / overall.requests : 0,
    meanResponseMs: success.count > 0 ? success.sumMs / success.count : 0,
    transactionRate: elapsedMs > 0 ? success.count / (elapsedMs / 1000) : 0,
    longestUserWaitMs: worst((m) => m.longestUserWaitMs),
    disruptionMs: worst((m) => m.disruptionMs),
  };
}

/**
 * Every figure of a run, once: per trial, per variant, variant against variant, the gates' outcome
 * and notices. The results are read, never changed.
 */
export function analyse(
  results: RunResults,
  judge: GateJudge = NO_GATES,
  place?: HistoryPlacer,
): AnalysedRun {
  const variants = results.variants.map(analyseVariant);
  const outcome = runOutcome(results);
  const gates = judge({ outcome, variants });
  const history = place?.({ outcome, variants, gates });
  return {
    ...(history ? { history } : {}),
    results,
    outcome,
    variants,
    comparison: compareVariants(variants, outcome),
    gates,
    notices: {
      saturation: saturationNotices(results),
      shard: shardNotices(results),
      watch: watchNotices(results),
      onlyClientErrors: onlyClientErrorNotices(results),
      omittedOutput: variants.flatMap((variant) => [
        ...omittedOutputNotes(variant.name, variant.results.hookLog),
        ...variant.trials.flatMap((trial) => trial.omittedOutput),
      ]),
    },
  };
}
