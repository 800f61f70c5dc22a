import { shareOfLoad, workerCount } from '../load/share.ts';
import { type MeasuredLoad, stopLoad } from '../measured-load/measured-load.ts';
import { prepareMeasuredLoad } from '../measured-load/prepare.ts';
import { startClock } from '../process/clock.ts';
import { sleep } from '../process/sleep.ts';
import { mergeRecordings } from '../record/merge.ts';
import { baselineThreshold, Recorder, type SlowThreshold } from '../record/recorder.ts';
import { splitPhases } from '../record/split-phases.ts';
import { DETECTED, type DeployEvent } from '../results/deploy-events.ts';
import { createLatencyHistogram, percentileMs } from '../results/histogram.ts';
import { MAX_INTERVALS_PER_TRIAL } from '../results/limits.ts';
import type { TrialResult } from '../results/run.ts';
import { withBodies } from '../scenario/files.ts';
import { formatMs } from '../text/format.ts';
import { InterruptedBeforeLoad, outcomeOf, type TrialOutcome } from '../trial/outcome.ts';
import { readTrialFiles, recorderOptions, type TrialRequest } from '../trial/run-trial.ts';
import { openTarget, TargetError } from '../trial/target.ts';
import { BaselineLoad } from './baseline-load.ts';
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
 * sets the slow threshold, unless the scenario sets one; the recording then takes the load over
 * (watch/baseline-load.ts). Every request is recorded by interval, and once the load stops, the
 * deploy's window is found from the traffic (watch/detect-window.ts) and the phases are split by it.
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
  let baseline: BaselineLoad | undefined;
  try {
    const sentLoad = withBodies(scenario.load, files);
    // Every request of the recording is kept by interval, for its window found afterwards; a
    // closed model's corrected view needs the deploy's start while recording: not kept here.
    const { alternate: _, slowThresholdMs, ...options } = recorderOptions(scenario);
    const recorder = { ...options, splitLater: true };
    // Booted first: the recording takes the load over from the baseline without a pause.
    measured = await prepareMeasuredLoad({
      target,
      share: shareOfLoad(sentLoad, 0, 1),
      threads: workerCount(sentLoad),
      recorder,
    });
    const load = measured;
    observer.stage?.('settling');
    // Ended before it recorded anything (Ctrl-C during the baseline): there is nothing to keep.
    const ended = AbortSignal.any([signal, watch.until]);
    const baselineMs = scenario.timeline.settle;
    if (baselineMs > 0) baseline = new BaselineLoad(target, sentLoad);
    await sleep(baselineMs, ended);
    if (ended.aborted) throw endedInBaseline();
    const seen = baseline?.seen;
    if (seen && seen.latency.totalCount === 0)
      throw new TargetError(
        `no request succeeded in the ${formatMs(baselineMs)} baseline (${seen.requests === 0 ? 'none was answered' : `all ${seen.requests} failed`}): a watch needs the target up, answering as expected, before the deploy begins`,
      );
    const threshold: SlowThreshold =
      slowThresholdMs !== undefined
        ? { ms: slowThresholdMs, source: 'scenario' }
        : baselineThreshold(seen?.latency ?? createLatencyHistogram());
    const clock = startClock();
    // t0 as wall-clock time: what the watched deploy's own logs can be lined up with.
    const startedAt = new Date().toISOString();
    const cpuAtStart = process.cpuUsage();
    // The baseline's requests still in flight belong to the recording: a stall that began before
    // t0 is measured whole. They are recorded apart (their users are not the recorded load's).
    const handedOverRecorder = new Recorder({
      ...recorder,
      slowThresholdMs: threshold.ms,
      slowThresholdSource: threshold.source,
    });
    const handedOver = baseline?.handOver(clock, (sample) => handedOverRecorder.record(sample));
    load.start(clock, threshold);
    observer.loadStarted?.({ clock, progress: () => load.progress(), series: () => load.series() });
    observer.stage?.('watching');
    // A watch with no --duration ends by itself when its intervals run out (28 h at 1 s).
    const longestWatchMs = MAX_INTERVALS_PER_TRIAL * scenario.analysis.interval;
    await sleep(Math.min(watch.durationMs ?? longestWatchMs, longestWatchMs), ended);
    observer.stage?.('stopping');
    await Promise.all([stopLoad(load, signal), baseline?.drained(signal)]);
    const durationMs = clock.now();
    const finished = await load.finish(durationMs);
    const handedOverRecording = handedOverRecorder.finish(durationMs);
    const whole = mergeRecordings([finished.recording, handedOverRecording]);
    const window = detectWindow(whole, handedOverRecording.disruption.spans.length > 0);
    const recording = splitPhases(whole, window);
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
        requests: seen?.requests ?? 0,
        failures: seen?.failures ?? 0,
        releases: seen?.releases ?? [],
        p99Ms: seen && seen.latency.totalCount > 0 ? percentileMs(seen.latency, 99) : null,
        slowThresholdMs: threshold.ms,
        slowestMs: seen?.slowestMs ?? 0,
        ...(handedOver && handedOver.count > 0 ? { carried: handedOver } : {}),
      },
    };
  } finally {
    await baseline?.abort();
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
