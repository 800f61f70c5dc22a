import { joinInstances } from '../analysis/instances.ts';
import type { LiveSeries } from '../measured-load/live-series.ts';
import { type DeployEvent, isDeployEnd } from '../results/deploy-events.ts';
import type { InstanceLifecycle } from '../results/recording.ts';
import {
  intervalCharts,
  type LaneTrial,
  type LatencyTrial,
  type ThroughputTrial,
} from '../view/view.ts';

/** A running trial as the report's charts draw a measured one: lanes, latency, throughput. */
export type LiveTrialView = LaneTrial & LatencyTrial & ThroughputTrial;

export interface LiveTrialInput {
  trial: number;
  series: LiveSeries;
  /** The embedded platform's processes on the trial's clock; none for another target. */
  lifecycle: readonly InstanceLifecycle[];
  timeline: readonly DeployEvent[];
  /** Now, and when the trial is expected to end, on the trial's clock (ms since t0). */
  nowMs: number;
  expectedEndMs: number;
  /** Until the trigger, the axis counts from where it is expected: after the warm-up. */
  warmupMs: number;
}

export function liveTrialView(input: LiveTrialInput): LiveTrialView {
  const { series, timeline, nowMs } = input;
  const triggerMs = timeline.find((e) => e.phase === 'triggered')?.t ?? input.warmupMs;
  const at = (ms: number) => (ms - triggerMs) / 1000;
  const step = series.intervalMs || 1000;
  // The interval now running is not whole yet: its rate would read as a drop.
  const intervals = series.intervals().slice(0, Math.floor(nowMs / step));
  const end = timeline.find(isDeployEnd);
  return {
    trial: input.trial,
    ...intervalCharts(intervals, step, triggerMs),
    // Only the report knows the longest transactions (they are kept per thread until the end).
    longest: [],
    instances: joinInstances(input.lifecycle, series.instances()),
    events: timeline.map(({ t, ...event }) => ({ ...event, at: at(t) })),
    ...(end ? { deployEnd: at(end.t) } : {}),
    detected: false,
    span: {
      from: Math.floor(at(0)),
      to: Math.ceil(at(Math.max(nowMs, input.expectedEndMs, step))),
    },
    now: at(nowMs),
    triggerMs,
    intervalMs: step,
    disrupted: disruptedSoFar(intervals, step, series.slowMs).map(([from, to]) => [
      at(from),
      at(to),
    ]),
  };
}

/** How long users failed or waited past the slow threshold so far, by interval (ms). */
export function disruptionSoFarMs(series: LiveSeries): number {
  const step = series.intervalMs || 1000;
  return disruptedSoFar(series.intervals(), step, series.slowMs).reduce(
    (sum, [from, to]) => sum + to - from,
    0,
  );
}

/**
 * Where users failed or waited longer than the slow threshold, by interval: the recording's
 * disruption, which follows each user's wait, is exact only at the end.
 */
function disruptedSoFar(
  intervals: readonly { requests: number; failures: number; maxMs: number }[],
  step: number,
  slowMs: number | undefined,
): [number, number][] {
  const spans: [number, number][] = [];
  intervals.forEach((interval, i) => {
    const hurt = interval.failures > 0 || (slowMs !== undefined && interval.maxMs > slowMs);
    if (!hurt) return;
    const last = spans.at(-1);
    if (last && last[1] === i * step) last[1] = (i + 1) * step;
    else spans.push([i * step, (i + 1) * step]);
  });
  return spans;
}
