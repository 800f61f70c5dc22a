import { OutputLog } from '../deploy/bounded-log.ts';
import { HookError, runHook } from '../deploy/hooks.ts';
import type { TargetConnection } from '../load/connection.ts';
import { createLoadGenerator } from '../load/create-load-generator.ts';
import { shareOfLoad, workerCount } from '../load/share.ts';
import type { LoadProgress } from '../measured-load/counters.ts';
import { type MeasuredLoad, stopLoad } from '../measured-load/measured-load.ts';
import { prepareMeasuredLoad } from '../measured-load/prepare.ts';
import { startClock } from '../process/clock.ts';
import { sleep } from '../process/sleep.ts';
import type { RecorderOptions } from '../record/recorder.ts';
import type { DeployEvent, DeployPhase } from '../results/deploy-events.ts';
import type { Bucket } from '../results/recording.ts';
import type { GeneratorLoad, TrialResult, TrialStatus } from '../results/run.ts';
import { ERROR_KINDS, type ErrorKind } from '../results/sample.ts';
import {
  readScenarioFiles,
  ScenarioFileError,
  type ScenarioFiles,
  withBodies,
} from '../scenario/files.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { LoadConfig, Scenario, Variant } from '../scenario/schema.ts';
import { type ShardPlan, shardSpanMs } from '../shard/plan.ts';
import { formatCount, formatMs } from '../text/format.ts';
import { fieldName } from '../text/wording.ts';
import type { TrialObserver } from './observer.ts';
import { InterruptedBeforeLoad, outcomeOf, ShardLateError, type TrialOutcome } from './outcome.ts';
import { openTarget, TargetError, variantEnvironment } from './target.ts';

/** A shard may start this late and still count as on time. */
const SHARD_START_TOLERANCE_MS = 100;

export interface TrialRequest {
  loaded: LoadedScenario;
  variant: Variant;
  trial: number;
  signal: AbortSignal;
  /** Told of the trial's stages, its deploy's phases and its load as they happen. */
  observer?: TrialObserver;
  /** One shard of a sharded run: its share of the load, on the shared schedule. */
  shard?: ShardPlan;
}

/**
 * What a trial works with, beside its timeline: the real ones by default, fakes in the tests of the
 * timeline's rules (order, hooks, timeouts, aborts, followers), as hyperfine's executor is.
 */
export interface TrialParts {
  openTarget: typeof openTarget;
  /** Unrecorded load before the measured one. */
  settle: typeof settle;
  prepareLoad: typeof prepareMeasuredLoad;
  runHook: typeof runHook;
  /** Waits (warm-up, cool-down, a shard's schedule); resolves early once the signal aborts. */
  sleep: typeof sleep;
}

export const REAL_TRIAL_PARTS: TrialParts = {
  openTarget,
  settle,
  prepareLoad: prepareMeasuredLoad,
  runHook,
  sleep,
};

/**
 * Brings the target up, runs the load, triggers the deploy after the warm-up, keeps measuring through
 * the cool-down, and stops everything it started, whatever happens: what became of it, as a value.
 */
export function runTrial(
  request: TrialRequest,
  parts: TrialParts = REAL_TRIAL_PARTS,
): Promise<TrialOutcome> {
  return outcomeOf(() => measureTrial(request, parts));
}

async function measureTrial(request: TrialRequest, parts: TrialParts): Promise<TrialOutcome> {
  const { loaded, variant, signal, shard } = request;
  const observer = request.observer ?? {};
  observer.stage?.('starting the target');
  // A shard that only follows the schedule leaves the deploy and its hooks to the one that runs it.
  const follower = shard !== undefined && !shard.deploys;
  const { scenario, dir } = loaded;
  const startedAt = new Date().toISOString();

  const files = await readTrialFiles(scenario, dir);
  const env = variantEnvironment(loaded.env, variant);
  const target = await parts.openTarget({
    scenario,
    dir,
    env,
    files,
    signal,
    ...(variant.env ? { variantEnv: variant.env } : {}),
  });
  const { liveInstances, lifecycle } = target;
  if (liveInstances && lifecycle) observer.platformUp?.({ live: liveInstances, lifecycle });

  const deployLog = new OutputLog();
  let measured: MeasuredLoad | undefined;
  const hook = async (which: 'beforeTrial' | 'afterTrial', now: () => number) => {
    if (follower) return;
    await parts.runHook({
      hooks: variant.hooks,
      which,
      variant: variant.name,
      cwd: dir,
      env,
      now,
      log: deployLog,
      signal,
      timeoutMs: scenario.timeline.hookTimeout,
    });
  };
  try {
    // Lines of the before-trial hook are stamped before t0 (negative), once t0 is known.
    const early = startClock();
    await hook('beforeTrial', early.now);
    observer.stage?.('settling');
    const sentLoad = withBodies(scenario.load, files);
    await parts.settle(target.connection, sentLoad, scenario.timeline.settle, signal);
    const loadConfig: LoadConfig = target.instanceHeader
      ? { ...sentLoad, instanceHeader: target.instanceHeader }
      : sentLoad;
    measured = await parts.prepareLoad({
      target: target.connection,
      share: {
        ...shareOfLoad(loadConfig, (shard?.index ?? 1) - 1, shard?.count ?? 1),
        // Every shard sends the arrivals of the same span, however late its stop comes.
        ...(shard ? { arrivalsUntilMs: shardSpanMs(scenario.timeline) } : {}),
      },
      threads: workerCount(loadConfig),
      recorder: recorderOptions(scenario, follower),
    });
    const load = measured;
    if (shard) await untilShardStart(shard, signal, parts.sleep);
    if (signal.aborted) throw new InterruptedBeforeLoad('interrupted before the load started');
    const clock = startClock();
    const offset = early.now();
    deployLog.shift(offset);
    let completed = false;
    const emit = (phase: DeployPhase, detail?: string, instance?: string) => {
      const t = clock.now();
      // A marker may have reported completion already; the command's exit then adds nothing.
      if (phase === 'completed') {
        if (completed) return;
        completed = true;
      }
      const event: DeployEvent = {
        t,
        phase,
        ...(detail === undefined ? {} : { detail }),
        ...(instance === undefined ? {} : { instance }),
      };
      load.event(event);
      observer.phase?.(event);
    };

    const cpuAtStart = process.cpuUsage();
    load.start(clock);
    observer.loadStarted?.({ clock, progress: () => load.progress(), series: () => load.series() });
    observer.stage?.('warm-up');

    let status: TrialStatus = 'completed';
    let failure: string | undefined;
    await parts.sleep(scenario.timeline.warmup, signal);
    // A target that answered no request of the warm-up (nothing listening, http:// to a TLS port)
    // would make its deploy read as one that broke everything: the run stops, deploying nothing.
    const allFailed = ({ requests, errors }: LoadProgress) => requests > 0 && errors === requests;
    let unanswered = !signal.aborted && allFailed(load.progress());
    if (unanswered) {
      // Generator threads report their counters every 250 ms: a second look, a moment later,
      // sees a success the first one had not been told of yet.
      await parts.sleep(CONFIRM_UNANSWERED_MS, signal);
      unanswered = !signal.aborted && allFailed(load.progress());
    }
    if (!signal.aborted && !unanswered && follower) {
      // The deploy is another shard's (or an external command's): this one marks the scheduled
      // trigger and keeps its load on for the whole window every shard measures.
      observer.stage?.('deploying');
      emit('triggered', `scheduled (shard ${shard.index}/${shard.count} follows)`);
    } else if (!signal.aborted && !unanswered) {
      observer.stage?.('deploying');
      emit('triggered', variant.strategy ?? variant.command);
      const deployAbort = new AbortController();
      const stopDeploy = () => deployAbort.abort();
      signal.addEventListener('abort', stopDeploy, { once: true });
      try {
        const driver = target.driver(variant, {
          cwd: dir,
          env,
          now: clock.now,
          log: deployLog,
          markers: scenario.deploy.markers,
        });
        await untilDone(
          driver.deploy(emit, deployAbort.signal),
          scenario.timeline.deployTimeout,
          signal,
        );
        if (!signal.aborted) emit('completed');
      } catch (error) {
        deployAbort.abort();
        if (!signal.aborted) {
          status = 'failed';
          failure = (error as Error).message;
          emit('failed', failure);
        }
      } finally {
        signal.removeEventListener('abort', stopDeploy);
      }
      // An interrupted trial has no cool-down: it goes on to stopping.
      if (!signal.aborted) observer.stage?.('cool-down');
      await parts.sleep(scenario.timeline.cooldown, signal);
    }
    if (shard && !unanswered) {
      // Every shard measures the same span, whenever the deploy ended.
      await parts.sleep(shardSpanMs(scenario.timeline) - clock.now(), signal);
    }
    if (signal.aborted) status = 'interrupted';
    observer.stage?.('stopping');
    await stopLoad(load, signal);
    const { recording, eventLoopUtilization } = await load.finish(clock.now());
    // Taken before the target stops its instances at the end: a lane still up stays open.
    const lifecycle = target.lifecycle?.(clock.origin);
    if (lifecycle) recording.lifecycle = lifecycle;
    if (unanswered) {
      const reason = `${variant.name}, trial ${request.trial}: ${unansweredWarmUp(recording.overall, scenario.timeline.warmup)}; nothing was deployed`;
      // Its after-trial hook still cleans up; the run stops on what the warm-up saw, first.
      const hookFailure = await hook('afterTrial', clock.now).then(
        () => '',
        (error: Error) => `; then ${error.message}`,
      );
      return { kind: 'stopped', reason: `${reason}${hookFailure}` };
    }
    const cpu = process.cpuUsage(cpuAtStart);
    const generator: GeneratorLoad = {
      cpuPercent: (100 * (cpu.user + cpu.system)) / 1000 / Math.max(1, recording.durationMs),
      eventLoopUtilization,
    };
    const result: TrialResult = {
      generator,
      trial: request.trial,
      status,
      ...(failure ? { failure } : {}),
      startedAt,
      recording,
      deployLog: deployLog.lines(),
    };
    try {
      await hook('afterTrial', clock.now);
    } catch (error) {
      if (!(error instanceof HookError)) throw error;
      // The trial was measured: the run keeps it, then stops on the hook's failure.
      return { kind: 'stopped', reason: error.message, measured: withLog(result, deployLog) };
    }
    return { kind: 'measured', result: withLog(result, deployLog) };
  } finally {
    await measured?.dispose();
    await target.stop();
  }
}

/** How long to look again before calling a warm-up unanswered: more than two threads' reports. */
const CONFIRM_UNANSWERED_MS = 600;

/** What a warm-up in which every request failed saw: how many, and how they failed. */
export function unansweredWarmUp(warmUp: Bucket, warmupMs: number): string {
  const seen = [
    ...ERROR_KINDS.filter((kind) => warmUp.errors[kind] > 0).map(
      (kind) => `${formatCount(warmUp.errors[kind])} ${FAILURE_WORDS[kind]}`,
    ),
    ...Object.entries(warmUp.statuses)
      .filter(([status]) => Number(status) >= 500)
      .map(([status, count]) => `${formatCount(count)} answered ${status}`),
  ];
  return `no request succeeded in the ${formatMs(warmupMs)} warm-up (${formatCount(warmUp.requests)} sent: ${seen.join(', ')}): the target must answer, as expected, before its deploy is measured`;
}

const FAILURE_WORDS: Record<ErrorKind, string> = {
  refused: 'refused (nothing listening?)',
  reset: 'reset',
  timeout: 'timed out',
  other: 'failed otherwise (TLS, or a protocol the target does not speak?)',
  check: 'failed their expect check',
};

/** The trial with every line of its deploy log, the after-trial hook's included. */
function withLog(result: TrialResult, log: OutputLog): TrialResult {
  return { ...result, deployLog: log.lines() };
}

/** The scenario's files (request bodies, a CA), read for one trial; a problem stops the run. */
export async function readTrialFiles(scenario: Scenario, dir: string): Promise<ScenarioFiles> {
  try {
    return await readScenarioFiles(scenario, dir);
  } catch (error) {
    if (!(error instanceof ScenarioFileError)) throw error;
    throw new TargetError(`${fieldName(error.field)}: ${error.message}`);
  }
}

/** Waits for the shared start time; too late, and the shard's load would not line up. */
async function untilShardStart(
  shard: ShardPlan,
  signal: AbortSignal,
  wait: typeof sleep,
): Promise<void> {
  const untilStart = shard.startAt - Date.now();
  if (untilStart < -SHARD_START_TOLERANCE_MS) {
    throw new ShardLateError(
      `shard ${shard.index}/${shard.count} was ready ${(-untilStart / 1000).toFixed(1)} s after the start time ${new Date(shard.startAt).toISOString()}: choose a later --start-at`,
    );
  }
  await wait(untilStart, signal);
}

/** How the scenario's trials are recorded. */
export function recorderOptions(scenario: Scenario, follower = false): RecorderOptions {
  const { load, analysis } = scenario;
  return {
    intervalMs: analysis.interval,
    slowThresholdMs: analysis.slowThreshold,
    alternate:
      load.model === 'open'
        ? { kind: 'service' }
        : { kind: 'corrected', thinkTimeMs: load.thinkTime },
    follower,
    ...(load.endpoints ? { endpoints: load.endpoints.map((e) => e.name) } : {}),
  };
}

/**
 * Runs the load unrecorded for a while, then awaits its requests in flight: the recorded load must
 * not start beside them.
 */
export async function settle(
  target: TargetConnection,
  load: LoadConfig,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  const unrecorded = createLoadGenerator({
    target,
    // Warming up the target: the probe measures, and there is nothing to measure yet.
    load: { ...load, probe: 0 },
    clock: startClock(),
    onSample: () => {},
    onDropped: () => {},
  });
  unrecorded.start();
  await sleep(ms, signal);
  await unrecorded.stop(signal.aborted ? 'abort' : 'drain');
}

/**
 * Waits for the deploy, but no longer than its timeout, and not at all once the run is interrupted:
 * an interrupted deploy is left to the platform's stop, which ends every process it started.
 */
function untilDone(deploy: Promise<void>, timeoutMs: number, signal: AbortSignal): Promise<void> {
  deploy.catch(() => {}); // its failure is read through the race below, or no longer matters
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the deploy did not complete within ${timeoutMs} ms`)),
      timeoutMs,
    );
    onAbort = () => reject(new Error('interrupted'));
    // Interrupted while the deploy started: an abort before the listener would never be heard.
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([deploy, limit]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  });
}
