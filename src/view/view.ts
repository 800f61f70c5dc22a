import { type Instance, trialInstances } from '../analysis/instances.ts';
import { outcomeLine, type RunOutcome, runOutcome } from '../analysis/outcome.ts';
import { type TrialMetrics, trialMetrics } from '../analysis/trial-metrics.ts';
import { summarizeVariant, type VariantSummary } from '../analysis/variant-summary.ts';
import { type Comparison, compareVariants } from '../analysis/verdict.ts';
import { emptyBucket, mergeBucket } from '../results/bucket.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import { percentileMs } from '../results/histogram.ts';
import { HEAD_LINES, type LogLine, MAX_LINE_CHARACTERS, TAIL_LINES } from '../results/log-line.ts';
import type { Bucket, LongTransaction } from '../results/recording.ts';
import type { RunResults, VariantResults } from '../results/run.ts';
import { SATURATED_ELU, type TrialResult } from '../results/run.ts';
import { decimate, type Point } from './decimate.ts';

/** More points than this per series are thinned: a one-hour run still gives a light, fast page. */
export const MAX_POINTS_PER_SERIES = 2000;

/** One trial, on a timeline in seconds relative to the deploy's trigger. */
export interface TrialView {
  trial: number;
  status: TrialResult['status'];
  failure?: string;
  metrics: TrialMetrics;
  /** Where the deploy ended (completed or failed), seconds after the trigger. */
  deployEnd?: number;
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
  report: RunResults;
  outcome: RunOutcome;
  /** "The run failed: …" when it did not complete; shown first. */
  ended?: string;
  comparison: Comparison;
  variants: VariantView[];
  notices: string[];
}

/** Trials in which deploy-bench itself was saturated: its own delays are in their figures. */
export function saturationNotices(report: RunResults): string[] {
  return report.variants.flatMap((variant) =>
    variant.trials
      .filter((trial) => (trial.generator?.eventLoopUtilization ?? 0) >= SATURATED_ELU)
      .map(
        (trial) =>
          `${variant.name}, trial ${trial.trial}: deploy-bench itself was saturated (its event loop was busy ${Math.round(100 * (trial.generator?.eventLoopUtilization ?? 0))} % of the time), so its own delays are in these figures; use fewer users, a lower rate, or more load.workers.`,
      ),
  );
}

/**
 * A sharded run: which shards are in, how far their clocks were from the target's (the error in
 * their alignment), and what is estimated when no merged shard ran the deploy (docs/scale.md).
 */
export function shardNotices(report: RunResults): string[] {
  const { shard } = report;
  if (!shard) return [];
  const notices: string[] = [];
  const present = new Set(shard.shards.map((s) => s.index));
  const missing = Array.from({ length: shard.count }, (_, i) => i + 1).filter(
    (i) => !present.has(i),
  );
  const which =
    missing.length === 0
      ? `all ${shard.count} shards`
      : `shards ${[...present].join(', ')} of ${shard.count} (${missing.join(', ')} not merged yet)`;
  const offsets = shard.shards.flatMap((s) => (s.clockOffsetMs === null ? [] : [s.clockOffsetMs]));
  const clocks = shard.shards
    .map(
      (s) =>
        `${s.index}: ${s.clockOffsetMs === null ? 'unknown' : `${s.clockOffsetMs >= 0 ? '+' : ''}${s.clockOffsetMs.toFixed(0)} ms`}`,
    )
    .join(', ');
  const spread =
    offsets.length > 1
      ? `; spread ${(Math.max(...offsets) - Math.min(...offsets)).toFixed(0)} ms`
      : '';
  notices.push(
    `Sharded run: ${which}, started together at ${shard.startAt}. Clocks against the target's Date header: ${clocks}${spread}.`,
  );
  if (!shard.shards.some((s) => s.deploys)) {
    notices.push(
      'No shard here ran the deploy: everything after the trigger counts as during it until a merge with the shard that did.',
    );
  }
  return notices;
}

export function buildView(report: RunResults): RunView {
  const variants = report.variants.map(variantView);
  const outcome = runOutcome(report);
  const comparison = compareVariants(
    variants.map((v) => ({ name: v.name, summary: v.summary })),
    outcome,
  );
  // How the run ended is shown on its own, at the top of every report (`outcomeLine`).
  const ended = outcomeLine(outcome);
  const notices: string[] = [];
  notices.push(...saturationNotices(report));
  notices.push(...shardNotices(report));
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
  notices.push(...omittedOutputNotices(report));
  return {
    title: report.scenario.name,
    ...(report.scenario.description ? { description: report.scenario.description } : {}),
    report,
    outcome,
    ...(ended ? { ended } : {}),
    comparison,
    variants,
    notices,
  };
}

/** A deploy or a hook that printed more than is kept: every report says how much is missing. */
export function omittedOutputNotices(report: RunResults): string[] {
  return report.variants.flatMap((variant) => [
    ...omittedOutputNotes(variant.name, variant.hookLog),
    ...variant.trials.flatMap((trial) =>
      omittedOutputNotes(`${variant.name}, trial ${trial.trial}`, trial.deployLog),
    ),
  ]);
}

/** One note per command of `log` whose output was cut, starting with `where`. */
export function omittedOutputNotes(where: string, log: readonly LogLine[]): string[] {
  const n = (count: number) => count.toLocaleString('en-US');
  return log.flatMap(({ omitted, source }) => {
    if (!omitted) return [];
    const parts = [
      ...(omitted.lines > 0
        ? [
            `${n(omitted.lines)} lines (${n(omitted.characters)} characters) were left out between its first ${HEAD_LINES} and its last ${TAIL_LINES} lines`,
          ]
        : []),
      ...(omitted.cutLines
        ? [
            `${n(omitted.cutLines)} ${omitted.cutLines === 1 ? 'line' : 'lines'} longer than ${n(MAX_LINE_CHARACTERS)} characters cut (${n(omitted.cutCharacters ?? 0)} characters)`,
          ]
        : []),
    ];
    return [`${where}: ${source ?? 'the deploy'} printed more than is kept: ${parts.join('; ')}.`];
  });
}

function variantView(variant: VariantResults): VariantView {
  const overall = emptyBucket();
  for (const trial of variant.trials) mergeBucket(overall, trial.recording.overall);
  return {
    name: variant.name,
    ...(variant.description ? { description: variant.description } : {}),
    how: variant.strategy ? `strategy ${variant.strategy}` : `command: ${variant.command ?? ''}`,
    summary: summarizeVariant(variant.trials),
    trials: variant.trials.map(trialView),
    overall,
  };
}

function trialView(trial: TrialResult): TrialView {
  const { recording } = trial;
  const trigger = recording.timeline.find((e) => e.phase === 'triggered')?.t ?? 0;
  const at = (ms: number) => (ms - trigger) / 1000;
  const step = recording.intervalMs;
  const mid = (i: number) => at(i * step + step / 2);
  const perSecond = 1000 / step;
  const end = recording.timeline.find((e) => e.phase === 'completed' || e.phase === 'failed');

  const latency = { p50: [] as Point[], p99: [] as Point[], max: [] as Point[] };
  const failures: TrialView['failures'] = [];
  const throughput: Point[] = [];
  const errorRate: Point[] = [];
  const quiet = new Spans();
  const allFailed = new Spans();
  recording.intervals.forEach((bucket, i) => {
    const x = mid(i);
    const from = at(i * step);
    const to = at((i + 1) * step);
    throughput.push({ x, y: bucket.requests * perSecond });
    errorRate.push({ x, y: bucket.failures * perSecond });
    if (bucket.requests === 0) {
      // No request started in this interval (everyone was waiting): a gap, not a slope across it.
      for (const series of [latency.p50, latency.p99, latency.max])
        series.push({ x, y: Number.NaN });
      quiet.add(from, to);
      return;
    }
    latency.p50.push({ x, y: percentileMs(bucket.latency, 50) });
    latency.p99.push({ x, y: percentileMs(bucket.latency, 99) });
    latency.max.push({ x, y: bucket.maxMs });
    if (bucket.failures > 0) failures.push({ x, y: bucket.maxMs, count: bucket.failures });
    if (bucket.failures === bucket.requests) allFailed.add(from, to);
  });

  const thin = <T extends Point>(points: T[], keep: 'max' | 'first') =>
    decimate(points, MAX_POINTS_PER_SERIES, keep);
  return {
    trial: trial.trial,
    status: trial.status,
    ...(trial.failure ? { failure: trial.failure } : {}),
    metrics: trialMetrics(recording),
    ...(end ? { deployEnd: at(end.t) } : {}),
    events: recording.timeline.map(({ t, ...event }) => ({ ...event, at: at(t) })),
    latency: {
      p50: thin(latency.p50, 'max'),
      p99: thin(latency.p99, 'max'),
      max: thin(latency.max, 'max'),
    },
    failures: thin(failures, 'max'),
    longest: recording.longest.map((l) => ({ ...l, at: at(l.t) })),
    throughput: thin(throughput, 'first'),
    errorRate: thin(errorRate, 'max'),
    instances: trialInstances(recording),
    // Whole seconds at both ends: even ticks, and the same axis for charts of one trial.
    span: {
      from: Math.floor(at(0)),
      to: Math.ceil(at(Math.max(recording.durationMs, step))),
    },
    triggerMs: trigger,
    intervalMs: step,
    quiet: quiet.list,
    allFailed: allFailed.list,
    disrupted: recording.disruption.spans.map(([from, to]) => [at(from), at(to)]),
    deployLog: trial.deployLog.map(({ t, stream, line, source }) => ({
      at: at(t),
      stream,
      line,
      ...(source ? { source } : {}),
    })),
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
