import { shareOfLoad, workerCount } from '../load/share.ts';
import { type MeasuredLoad, stopLoad } from '../measured-load/measured-load.ts';
import { prepareMeasuredLoad } from '../measured-load/prepare.ts';
import { startClock } from '../process/clock.ts';
import { sleep } from '../process/sleep.ts';
import { baselineThreshold } from '../record/recorder.ts';
import { splitPhases } from '../record/split-phases.ts';
import { MAX_INTERVALS_PER_TRIAL } from '../results/bounds.ts';
import { DETECTED, type DeployEvent } from '../results/deploy-events.ts';
import { percentileMs } from '../results/histogram.ts';
import type { TrialResult } from '../results/run.ts';
import { withBodies } from '../scenario/files.ts';
import { formatMs } from '../text/format.ts';
import { InterruptedBeforeLoad, outcomeOf, type TrialOutcome } from '../trial/outcome.ts';
import { readTrialFiles, recorderOptions, settle, type TrialRequest } from '../trial/run-trial.ts';
import { openTarget, TargetError } from '../trial/target.ts';
import { type DetectedWindow, detectWindow } from './detect-window.ts';

export interface WatchOptions {
  /** Ends the watch normally (the first Ctrl-C of `bench watch`); `signal` interrupts it. */
  until: AbortSignal;
  /** Stop by itself after this long (the trial's interval count bounds it anyway). */
  durationMs?: number;
}

/**
 * One trial of `bench watch`: load on an external target until told to stop, with no deploy of its
 * own — somebody else deploys. Unrecorded load first (`timeline.settle`) gives the baseline that
 * sets the slow threshold, unless the scenario sets one; every request is recorded by interval, and once the load stops, the deploy's window is found
 * from the traffic (watch/detect-window.ts) and the phases are split by it.
 */
export function watchTrial(request: TrialRequest, watch: WatchOptions): Promise<TrialOutcome> {
  return outcomeOf(async () => ({ kind: 'measured', result: await watched(request, watch) }));
}

async function watched(request: TrialRequest, watch: WatchOptions): Promise<TrialResult> {
  const { loaded, signal } = request;
  const observer = request.observer ?? {};
  const { scenario, dir } = loaded;
  if (!('url' in scenario.target))
    throw new TargetError('bench watch measures a URL target, not the embedded platform');
  observer.stage?.('starting the target');
  const files = await readTrialFiles(scenario, dir);
  const opened = await openTarget({ scenario, dir, env: loaded.env, files, signal });
  const target = opened.connection;

  let measured: MeasuredLoad | undefined;
  try {
    observer.stage?.('settling');
    const sentLoad = withBodies(scenario.load, files);
    // Ended before it recorded anything (Ctrl-C during the baseline): there is nothing to keep.
    const ended = AbortSignal.any([signal, watch.until]);
    const baselineMs = scenario.timeline.settle;
    // Cut at its end: a hung target must not hold the baseline for its request timeout.
    const baseline = await settle(target, sentLoad, baselineMs, ended, 'abort');
    if (ended.aborted) throw endedInBaseline();
    if (baselineMs > 0 && baseline.latency.totalCount === 0)
      throw new TargetError(
        `no request succeeded in the ${formatMs(baselineMs)} baseline (${baseline.requests === 0 ? 'none was answered' : `all ${baseline.requests} failed`}): a watch needs the target up, answering as expected, before the deploy begins`,
      );
    const threshold =
      scenario.analysis.slowThreshold !== undefined
        ? { ms: scenario.analysis.slowThreshold, source: 'scenario' as const }
        : baselineThreshold(baseline.latency);
    // A closed model's corrected view needs the deploy's start while recording: not kept here.
    const { alternate: _, ...options } = recorderOptions(scenario);
    measured = await prepareMeasuredLoad({
      target,
      share: shareOfLoad(sentLoad, 0, 1),
      threads: workerCount(sentLoad),
      recorder: {
        ...options,
        splitLater: true,
        slowThresholdMs: threshold.ms,
        slowThresholdSource: threshold.source,
      },
    });
    const load = measured;
    if (ended.aborted) throw endedInBaseline();
    const clock = startClock();
    // t0 as wall-clock time: what the watched deploy's own logs can be lined up with.
    const startedAt = new Date().toISOString();
    const cpuAtStart = process.cpuUsage();
    load.start(clock);
    observer.loadStarted?.({ clock, progress: () => load.progress() });
    observer.stage?.('watching');
    // A watch with no --duration ends by itself when its intervals run out (28 h at 1 s).
    const longestWatchMs = MAX_INTERVALS_PER_TRIAL * scenario.analysis.interval;
    await sleep(Math.min(watch.durationMs ?? longestWatchMs, longestWatchMs), ended);
    observer.stage?.('stopping');
    await stopLoad(load, signal);
    const finished = await load.finish(clock.now());
    const window = detectWindow(finished.recording);
    const recording = splitPhases(finished.recording, window);
    recording.timeline = window ? windowEvents(window) : [];
    for (const event of recording.timeline) observer.phase?.(event);
    const cpu = process.cpuUsage(cpuAtStart);
    return {
      generator: {
        cpuPercent: (100 * (cpu.user + cpu.system)) / 1000 / Math.max(1, recording.durationMs),
        eventLoopUtilization: finished.eventLoopUtilization,
      },
      trial: request.trial,
      status: signal.aborted ? 'interrupted' : 'completed',
      startedAt,
      recording,
      deployLog: [],
      baseline: {
        ms: baselineMs,
        requests: baseline.requests,
        failures: baseline.failures,
        releases: baseline.releases,
        p99Ms: baseline.latency.totalCount > 0 ? percentileMs(baseline.latency, 99) : null,
        slowThresholdMs: threshold.ms,
        slowestMs: baseline.slowestMs,
        ...(baseline.inFlightAtEnd.count > 0 ? { cut: baseline.inFlightAtEnd } : {}),
      },
    };
  } finally {
    await measured?.dispose();
    await opened.stop();
  }
}

/** Ended before its recording began: nothing measured to keep (an interrupted run). */
function endedInBaseline(): InterruptedBeforeLoad {
  return new InterruptedBeforeLoad('ended during the baseline: nothing recorded');
}

/** The window as the timeline's trigger and completion, each saying what marked it. */
function windowEvents(window: DetectedWindow): DeployEvent[] {
  return [
    { t: window.startMs, phase: 'triggered', detail: `${DETECTED}: ${window.startSign}` },
    { t: window.endMs, phase: 'completed', detail: `${DETECTED}: ${window.endSign}` },
  ];
}
