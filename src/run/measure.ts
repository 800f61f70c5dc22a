import os from 'node:os';
import { analyse } from '../analysis/analyse.ts';
import { OutputLog } from '../deploy/bounded-log.ts';
import { HookError, runHook } from '../deploy/hooks.ts';
import { renderResultsJson } from '../export/results-json.ts';
import { makeFolder, OutputError, writeFileAtomic } from '../export/write-file.ts';
import { startClock } from '../process/clock.ts';
import { sleep } from '../process/sleep.ts';
import type { RunResults, VariantResults } from '../results/run.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { type ShardPlan, shardSpanMs } from '../shard/plan.ts';
import {
  InterruptedBeforeLoad,
  runTrial,
  ShardLateError,
  TargetError,
  type TrialRequest,
} from '../trial/run-trial.ts';
import { type WatchOptions, watchTrial } from '../watch/watch-trial.ts';
import type { RunObserver } from './observer.ts';
import { TOOL } from './tool.ts';

export interface MeasureOptions {
  outDir: string;
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

/**
 * Runs every variant × trial in turn and writes results.json after each trial, so that a later
 * failure or an interruption loses nothing already measured.
 */
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
    gates: [],
    variants: scenario.variants.map((v) => ({
      name: v.name,
      ...(v.description ? { description: v.description } : {}),
      ...(v.strategy ? { strategy: v.strategy } : {}),
      ...(v.command ? { command: v.command } : {}),
      trials: [],
      hookLog: [],
    })),
  };
  await makeFolder(options.outDir);
  // When results can no longer be written (a full disk), the run stops: measuring on would be lost.
  let outputFailed = false;
  /** Stopped before its load started (a watch ended during its baseline): interrupted too. */
  let endedBeforeLoad = false;
  const save = async (last: boolean) => {
    if (outputFailed) return;
    results.finishedAt = new Date().toISOString();
    // Until the last save, the file says the run was cut short: if this process dies before the
    // next one (a second Ctrl-C, SIGKILL, a machine going down), that is what happened.
    results.interrupted = last ? options.signal.aborted || endedBeforeLoad : true;
    try {
      await writeFileAtomic(options.outDir, 'results.json', renderResultsJson(analyse(results)));
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      outputFailed = true;
      results.failure = `${error.message} (the run stopped there; what is already on disk stays)`;
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
  const stopWith = (reason: string) => {
    if (!options.signal.aborted) results.failure = reason;
  };
  run: for (const [index, variant] of scenario.variants.entries()) {
    const variantResults = results.variants[index] as VariantResults;
    const follower = options.shard !== undefined && !options.shard.plan.deploys;
    const hookLog = new OutputLog();
    const variantHook = async (which: 'beforeVariant' | 'afterVariant') => {
      if (follower) return;
      try {
        await runHook({
          hooks: variant.hooks,
          which,
          variant: variant.name,
          cwd: loaded.dir,
          env: loaded.env,
          now: runClock.now,
          log: hookLog,
          signal: options.signal,
          timeoutMs: timeline.hookTimeout,
        });
      } finally {
        variantResults.hookLog = hookLog.lines();
      }
    };
    try {
      await variantHook('beforeVariant');
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
        const result = options.watch
          ? await watchTrial(request, options.watch)
          : await runTrial(request);
        observer.trialEnded?.(ref, result);
        variantResults.trials.push(result);
        await save(false);
        results.interrupted = options.signal.aborted || endedBeforeLoad;
        if (outputFailed) break run;
        if (result.status === 'failed' && scenario.deploy.onFailure === 'stop') {
          stopWith(`${variant.name}, trial ${trial}: the deploy failed (deploy.onFailure: stop)`);
          break run;
        }
      }
      await variantHook('afterVariant');
    } catch (error) {
      if (error instanceof InterruptedBeforeLoad) {
        endedBeforeLoad = true;
        break;
      }
      if (error instanceof HookError) {
        if (error.measured) {
          observer.trialEnded?.(
            { variant: variant.name, trial: error.measured.trial },
            error.measured,
          );
          variantResults.trials.push(error.measured);
        }
        stopWith(error.message);
        break;
      }
      if (!(error instanceof TargetError || error instanceof ShardLateError)) throw error;
      stopWith(error.message);
      break;
    }
  }
  await save(true);
  return results;
}
