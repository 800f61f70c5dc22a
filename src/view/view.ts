import type { AnalysedRun, AnalysedTrial, AnalysedVariant } from '../analysis/analyse.ts';
import type { Instance } from '../analysis/instances.ts';
import { outcomeLine, type RunOutcome } from '../analysis/outcome.ts';
import type { TrialMetrics } from '../analysis/trial-metrics.ts';
import type { VariantSummary } from '../analysis/variant-summary.ts';
import type { Comparison } from '../analysis/verdict.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import { isDeployEnd, isDetected } from '../results/deploy-events.ts';
import { percentileMs } from '../results/histogram.ts';
import type { LongTransaction } from '../results/parts/longest.ts';
import type { Bucket } from '../results/recording.ts';
import type { GateResult, RunResults, TrialResult } from '../results/run.ts';
import { type ConnectionRow, connectionRows } from './connections.ts';
import { decimate, type Point } from './decimate.ts';
import {
  type CheckExampleRow,
  checkExampleRows,
  type EndpointRow,
  endpointRows,
} from './endpoints.ts';
import { findingsView, type VariantFindingsView } from './findings.ts';
import { describeLoad } from './load.ts';

/** More points than this per series are thinned: a one-hour run still gives a light, fast page. */
const MAX_POINTS_PER_SERIES = 2000;

/** The longest transactions each latency chart marks. */
export const LONGEST_MARKED = 3;

/** One trial, on a timeline in seconds relative to the deploy's trigger. */
export interface TrialView {
  trial: number;
  status: TrialResult['status'];
  failure?: string;
  metrics: TrialMetrics;
  /** Where the deploy ended (completed or failed), seconds after the trigger. */
  deployEnd?: number;
  /** The deploy's window was found from the traffic (`bench watch`): labelled "detected". */
  detected: boolean;
  events: (Omit<DeployEvent, 't'> & { at: number })[];
  latency: { p50: Point[]; p99: Point[]; max: Point[] };
  /** Intervals in which some request failed: at the interval's longest latency, with the count. */
  failures: (Point & { count: number })[];
  longest: (LongTransaction & { at: number })[];
  throughput: Point[];
  errorRate: Point[];
  /** The instances, their lives and their traffic, as lanes (times in ms on the trial's timeline). */
  instances: Instance[];
  /** The trial's span on the x axis: from the load's start to its end, seconds after the trigger. */
  span: { from: number; to: number };
  /** Seconds after the trigger ↔ ms on the trial's timeline, and the intervals' width. */
  triggerMs: number;
  intervalMs: number;
  /** Stretches in which no request started (every user was waiting), and in which all failed. */
  quiet: [number, number][];
  allFailed: [number, number][];
  /** Stretches in which some request failed or was slow (disruption), seconds after the trigger. */
  disrupted: [number, number][];
  deployLog: { at: number; stream: string; line: string; source?: string }[];
}

/** What the deploy's phases are drawn from, on every chart over time. */
export type PhasedTrial = Pick<TrialView, 'events' | 'deployEnd' | 'detected' | 'span'>;

/** What the latency chart draws of a trial. */
export type LatencyTrial = PhasedTrial &
  Pick<TrialView, 'trial' | 'latency' | 'failures' | 'longest' | 'quiet' | 'allFailed'>;

/** What the throughput chart draws of a trial. */
export type ThroughputTrial = Pick<TrialView, 'throughput' | 'errorRate' | 'span' | 'detected'>;

/** What the Instances chart draws of a trial: a live trial has these too (live/trial-view.ts). */
export type LaneTrial = Pick<
  TrialView,
  | 'trial'
  | 'instances'
  | 'span'
  | 'triggerMs'
  | 'intervalMs'
  | 'disrupted'
  | 'events'
  | 'deployEnd'
  | 'detected'
> & {
  /** A trial still running: a state that has not ended is drawn to now (seconds after the trigger). */
  now?: number;
};

export interface VariantView {
  name: string;
  description?: string;
  how: string;
  summary: VariantSummary;
  trials: TrialView[];
  /** All trials' requests together, for the percentile distribution. */
  overall: Bucket;
}

export interface RunView {
  title: string;
  description?: string;
  /** The run the view shows, analysed. */
  run: AnalysedRun;
  /** The load it was measured under, in words; absent from results saved before it was kept. */
  load?: string;
  /** What was measured, as recorded (`run.results`). */
  results: RunResults;
  outcome: RunOutcome;
  /** "The run failed: …" when it did not complete; shown first. */
  ended?: string;
  comparison: Comparison;
  /** The run's gates, as analyse() judged them. */
  gates: GateResult[];
  /** Why users were hurt, per measured variant (docs/diagnosis.md). */
  findings: VariantFindingsView[];
  variants: VariantView[];
  notices: string[];
  /** Per endpoint and variant, when the scenario has `load.endpoints`; else empty. */
  endpoints: EndpointRow[];
  /** Per variant and kind of connection, when both kinds were sent; else empty. */
  connections: ConnectionRow[];
  /** The first response of each distinct check failure of each trial. */
  checkExamples: CheckExampleRow[];
  /** The load opened a connection per request (`keepAlive: false`): how many is worth a row. */
  showConnections: boolean;
}

/** What the page, the summary and the charts show of an analysed run: series on a seconds axis. */
export function buildView(run: AnalysedRun): RunView {
  const { results, outcome } = run;
  const variants = run.variants.map(variantView);
  // How the run ended is shown on its own, at the top of every report (`outcomeLine`).
  const ended = outcomeLine(outcome);
  const notices: string[] = [];
  notices.push(...run.notices.saturation);
  notices.push(...run.notices.shard);
  notices.push(...run.notices.watch);
  notices.push(...run.notices.onlyClientErrors);
  if (
    variants.some((v) => v.trials.length > 0 && v.trials.every((t) => t.instances.length === 0))
  ) {
    notices.push(
      `No instances to draw: no response named its instance or its release (or these results come from a deploy-bench that did not record them). Set load.instanceHeader, a header naming the pod, dyno or host, or load.releaseHeader.`,
    );
  }
  for (const variant of variants) {
    for (const trial of variant.trials.filter((t) => t.status === 'failed')) {
      const notice = `${variant.name}, trial ${trial.trial}: the deploy failed: ${trial.failure}`;
      if (!ended?.includes(notice)) notices.push(notice);
    }
  }
  notices.push(...run.notices.omittedOutput);
  return {
    title: results.scenario.name,
    ...(results.scenario.description ? { description: results.scenario.description } : {}),
    run,
    ...(results.load ? { load: describeLoad(results.load) } : {}),
    results,
    outcome,
    ...(ended ? { ended } : {}),
    comparison: run.comparison,
    gates: run.gates,
    findings: findingsView(run),
    variants,
    notices,
    endpoints: endpointRows(run.variants),
    connections: connectionRows(run.variants),
    checkExamples: checkExampleRows(run),
    showConnections: opensConnectionPerRequest(results.scenario),
  };
}

/** Whether the saved scenario (a plain object as results.json keeps it) set `load.keepAlive: false`. */
function opensConnectionPerRequest(scenario: RunResults['scenario']): boolean {
  const load = scenario.load as { keepAlive?: unknown } | undefined;
  return load?.keepAlive === false;
}

function variantView(variant: AnalysedVariant): VariantView {
  const { results } = variant;
  return {
    name: variant.name,
    ...(results.description ? { description: results.description } : {}),
    how: results.strategy
      ? `strategy ${results.strategy}`
      : results.command !== undefined
        ? `command: ${results.command}`
        : 'deployed by somebody else (bench watch)',
    summary: variant.summary,
    trials: variant.trials.map(trialView),
    overall: variant.totals.overall,
  };
}

function trialView({ result: trial, metrics, instances }: AnalysedTrial): TrialView {
  const { recording } = trial;
  const trigger = recording.timeline.find((e) => e.phase === 'triggered')?.t ?? 0;
  const at = (ms: number) => (ms - trigger) / 1000;
  const step = recording.intervalMs;
  const end = recording.timeline.find(isDeployEnd);
  const figures = recording.intervals.map((bucket) => ({
    requests: bucket.requests,
    failures: bucket.failures,
    maxMs: bucket.maxMs,
    // Only an interval in which requests started has percentiles to draw.
    p50Ms: bucket.requests > 0 ? percentileMs(bucket.latency, 50) : Number.NaN,
    p99Ms: bucket.requests > 0 ? percentileMs(bucket.latency, 99) : Number.NaN,
  }));
  return {
    trial: trial.trial,
    status: trial.status,
    ...(trial.failure ? { failure: trial.failure } : {}),
    metrics,
    ...(end ? { deployEnd: at(end.t) } : {}),
    detected: isDetected(recording.timeline),
    events: recording.timeline.map(({ t, ...event }) => ({ ...event, at: at(t) })),
    ...intervalCharts(figures, step, trigger),
    longest: recording.longest.map((l) => ({ ...l, at: at(l.t) })),
    instances,
    // Whole seconds at both ends: even ticks, and the same axis for charts of one trial.
    span: {
      // From the earliest start of a longest transaction shown, which may precede t0 (a watch's
      // request handed over by its baseline).
      from: Math.floor(
        at(Math.min(0, ...recording.longest.slice(0, LONGEST_MARKED).map((l) => l.t))),
      ),
      to: Math.ceil(at(Math.max(recording.durationMs, step))),
    },
    triggerMs: trigger,
    intervalMs: step,
    disrupted: recording.disruption.spans.map(([from, to]) => [at(from), at(to)]),
    deployLog: trial.deployLog.map(({ t, stream, line, source }) => ({
      at: at(t),
      stream,
      line,
      ...(source ? { source } : {}),
    })),
  };
}

/** An interval's figures as the charts draw them: from a recorded bucket, or from a live one. */
export interface IntervalFigures {
  requests: number;
  failures: number;
  maxMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** What the charts draw of a trial's intervals, on seconds after the trigger. */
export type IntervalCharts = Pick<
  TrialView,
  'latency' | 'failures' | 'throughput' | 'errorRate' | 'quiet' | 'allFailed'
>;

/** A trial's intervals (of `stepMs`, from t0) as the series and stretches the charts draw. */
export function intervalCharts(
  intervals: readonly IntervalFigures[],
  stepMs: number,
  triggerMs: number,
): IntervalCharts {
  const at = (ms: number) => (ms - triggerMs) / 1000;
  const perSecond = 1000 / stepMs;
  const latency = { p50: [] as Point[], p99: [] as Point[], max: [] as Point[] };
  const failures: TrialView['failures'] = [];
  const throughput: Point[] = [];
  const errorRate: Point[] = [];
  const quiet = new Spans();
  const allFailed = new Spans();
  intervals.forEach((interval, i) => {
    const x = at(i * stepMs + stepMs / 2);
    const from = at(i * stepMs);
    const to = at((i + 1) * stepMs);
    throughput.push({ x, y: interval.requests * perSecond });
    errorRate.push({ x, y: interval.failures * perSecond });
    if (interval.requests === 0) {
      // No request started in this interval (everyone was waiting): a gap, not a slope across it.
      for (const series of [latency.p50, latency.p99, latency.max])
        series.push({ x, y: Number.NaN });
      quiet.add(from, to);
      return;
    }
    latency.p50.push({ x, y: interval.p50Ms });
    latency.p99.push({ x, y: interval.p99Ms });
    latency.max.push({ x, y: interval.maxMs });
    if (interval.failures > 0) failures.push({ x, y: interval.maxMs, count: interval.failures });
    if (interval.failures === interval.requests) allFailed.add(from, to);
  });
  const thin = <T extends Point>(points: T[], keep: 'max' | 'first') =>
    decimate(points, MAX_POINTS_PER_SERIES, keep);
  return {
    latency: {
      p50: thin(latency.p50, 'max'),
      p99: thin(latency.p99, 'max'),
      max: thin(latency.max, 'max'),
    },
    failures: thin(failures, 'max'),
    throughput: thin(throughput, 'first'),
    errorRate: thin(errorRate, 'max'),
    quiet: quiet.list,
    allFailed: allFailed.list,
  };
}

/** Touching stretches joined, so that a long outage is one box and not one per interval. */
class Spans {
  readonly list: [number, number][] = [];
  add(from: number, to: number): void {
    const last = this.list.at(-1);
    if (last && Math.abs(last[1] - from) < 1e-9) last[1] = to;
    else this.list.push([from, to]);
  }
}
