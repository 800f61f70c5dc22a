import os from 'node:os';
import { OutputLog } from '../deploy/bounded-log.ts';
import { HookError, runHook } from '../deploy/hooks.ts';
import { startClock } from '../process/clock.ts';
import { sleep } from '../process/sleep.ts';
import type { LoadUnder, RunResults, VariantResults } from '../results/run.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { LoadConfig } from '../scenario/schema.ts';
import { type ShardPlan, shardSpanMs } from '../shard/plan.ts';
import { runTrial, type TrialRequest } from '../trial/run-trial.ts';
import { variantEnvironment } from '../trial/target.ts';
import { type WatchOptions, watchTrial } from '../watch/watch-trial.ts';
import type { RunObserver } from './observer.ts';
import { TOOL } from './tool.ts';

export interface MeasureOptions {
  /**
   * Saves the run as it stands, after every trial and once at the end, so that a later failure or
   * an interruption loses nothing already measured. Resolves to why it could not (a full disk):
   * measuring on would then be lost, and the run stops.
   */
  checkpoint: (results: RunResults) => Promise<string | undefined>;
  signal: AbortSignal;
  /** Told of the run's trials, their stages, their load and their deploys' phases. */
  observer?: RunObserver;
  /** Overrides the scenario's number of trials per variant. */
  trials?: number;
  /** One shard of a sharded run (one variant, one trial), and its clock's offset from the target's. */
  shard?: { plan: ShardPlan; clockOffsetMs: number | undefined };
  /**
   * `bench watch`: no deploy of the tool's own — the load runs until `watch.until` (or its duration)
   * while somebody else deploys, and the window is found from the traffic (watch/watch-trial.ts).
   */
  watch?: WatchOptions;
}

/** Runs every variant × trial in turn, checkpointing the results after each trial. */
export async function measureScenario(
  loaded: LoadedScenario,
  options: MeasureOptions,
): Promise<RunResults> {
  const { scenario } = loaded;
  const trials = options.trials ?? scenario.trials;
  const results: RunResults = {
    tool: TOOL,
    startedAt: new Date().toISOString(),
    machine: {
      hostname: os.hostname(),
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      node: process.version,
    },
    scenarioFile: loaded.file,
    ...(loaded.overrides ? { overrides: loaded.overrides } : {}),
    scenario,
    load: loadUnder(scenario.load),
    interrupted: false,
    ...(options.shard
      ? {
          shard: {
            count: options.shard.plan.count,
            startAt: new Date(options.shard.plan.startAt).toISOString(),
            shards: [
              {
                index: options.shard.plan.index,
                deploys: options.shard.plan.deploys,
                clockOffsetMs: options.shard.clockOffsetMs ?? null,
              },
            ],
          },
        }
      : {}),
    variants: scenario.variants.map((v) => ({
      name: v.name,
      ...(v.description ? { description: v.description } : {}),
      ...(v.strategy ? { strategy: v.strategy } : {}),
      ...(v.command ? { command: v.command } : {}),
      trials: [],
      hookLog: [],
    })),
  };
  // When results can no longer be saved (a full disk), the run stops: measuring on would be lost.
  let outputFailed = false;
  /** Stopped before its load started (a watch ended during its baseline): interrupted too. */
  let endedBeforeLoad = false;
  const save = async (last: boolean) => {
    if (outputFailed) return;
    results.finishedAt = new Date().toISOString();
    // Until the last save, the file says the run was cut short: if this process dies before the
    // next one (a second Ctrl-C, SIGKILL, a machine going down), that is what happened.
    results.interrupted = last ? options.signal.aborted || endedBeforeLoad : true;
    const failure = await options.checkpoint(results);
    if (failure) {
      outputFailed = true;
      results.failure ??= `${failure} (the run stopped there; what is already on disk stays)`;
    }
  };

  const observer = options.observer ?? {};
  const timeline = scenario.timeline;
  observer.runStarted?.({
    variants: scenario.variants.map((v) => v.name),
    trialsPerVariant: trials,
    settleMs: timeline.settle,
    // A watch has no warm-up or cool-down of its own: its load runs until it is told to stop.
    warmupMs: options.watch ? 0 : timeline.warmup,
    cooldownMs: options.watch ? 0 : timeline.cooldown,
    ...(options.watch ? { watching: true } : {}),
    ...(options.watch?.durationMs !== undefined ? { fixedLoadMs: options.watch.durationMs } : {}),
    // A shard measures a fixed span, whenever the deploy ends.
    ...(options.shard ? { fixedLoadMs: shardSpanMs(timeline) } : {}),
  });
  let trialsRun = 0;
  const runClock = startClock();
  // The first cause of a stop is the one told: a failing afterVariant after it is not.
  const stopWith = (reason: string) => {
    if (!options.signal.aborted) results.failure ??= reason;
  };
  run: for (const [index, variant] of scenario.variants.entries()) {
    const variantResults = results.variants[index] as VariantResults;
    const follower = options.shard !== undefined && !options.shard.plan.deploys;
    const hookLog = new OutputLog();
    const variantHook = async (which: 'beforeVariant' | 'afterVariant', signal: AbortSignal) => {
      if (follower) return;
      try {
        await runHook({
          hooks: variant.hooks,
          which,
          variant: variant.name,
          cwd: loaded.dir,
          env: variantEnvironment(loaded.env, variant),
          now: runClock.now,
          log: hookLog,
          signal,
          timeoutMs: timeline.hookTimeout,
        });
      } finally {
        variantResults.hookLog = hookLog.lines();
      }
    };
    /** Takes down what beforeVariant set up; whether its failure stops the run. */
    const takeDown = async (): Promise<boolean> => {
      try {
        // Even after Ctrl-C (a second one cuts it short): it is where a recipe stops its servers.
        await variantHook('afterVariant', NEVER_ABORTED);
        return false;
      } catch (error) {
        if (!(error instanceof HookError)) throw error;
        stopWith(error.message);
        return true;
      }
    };
    // Taken down even when beforeVariant failed or was interrupted halfway: it may have started
    // something before it did.
    const setUp = !options.signal.aborted;
    let stopped = false;
    try {
      await variantHook('beforeVariant', options.signal);
      for (let trial = 1; trial <= trials; trial++) {
        const ref = { variant: variant.name, trial };
        if (options.signal.aborted) break run;
        if (trialsRun > 0 && scenario.timeline.betweenTrials > 0) {
          observer.resting?.(ref, scenario.timeline.betweenTrials);
          await sleep(scenario.timeline.betweenTrials, options.signal);
        }
        if (options.signal.aborted) break run;
        trialsRun++;
        observer.trialStarted?.(ref);
        const request: TrialRequest = {
          loaded,
          variant,
          trial,
          signal: options.signal,
          observer,
          ...(options.shard ? { shard: options.shard.plan } : {}),
        };
        const outcome = options.watch
          ? await watchTrial(request, options.watch)
          : await runTrial(request);
        if (outcome.kind === 'ended-before-load') {
          endedBeforeLoad = true;
          break run;
        }
        // The first cause of a stop is the one told, before a save that may fail after it.
        if (outcome.kind === 'stopped') stopWith(outcome.reason);
        // A trial measured before a stop (its afterTrial hook failed) is kept too.
        const result = outcome.kind === 'measured' ? outcome.result : outcome.measured;
        if (result) {
          observer.trialEnded?.(ref, result);
          variantResults.trials.push(result);
          await save(false);
          results.interrupted = options.signal.aborted || endedBeforeLoad;
          if (outputFailed) break run;
        }
        if (outcome.kind === 'stopped') break run;
        if (outcome.result.status === 'failed' && scenario.deploy.onFailure === 'stop') {
          stopWith(`${variant.name}, trial ${trial}: the deploy failed (deploy.onFailure: stop)`);
          break run;
        }
      }
    } catch (error) {
      // A variant's own hooks: the run stops there, with every trial measured so far.
      if (!(error instanceof HookError)) throw error;
      stopWith(error.message);
      stopped = true;
    } finally {
      // However the variant ended — its trials done, a stop, a crash, Ctrl-C.
      if (setUp) stopped = (await takeDown()) || stopped;
    }
    if (stopped) break;
  }
  await save(true);
  return results;
}

const NEVER_ABORTED = new AbortController().signal;

/** The load as every report states it: the model and its size, threads, connections, endpoints. */
function loadUnder(load: LoadConfig): LoadUnder {
  const common = {
    workers: load.workers,
    keepAlive: load.keepAlive,
    probePerSecond: load.keepAlive ? load.probe : 0,
    endpoints: load.endpoints?.length ?? 1,
  };
  return load.model === 'open'
    ? { model: 'open', ratePerSecond: load.rate, ...common }
    : { model: 'closed', users: load.users, ...common };
}
