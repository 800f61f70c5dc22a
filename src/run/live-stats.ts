import type { InFlight } from '../load/load-generator.ts';
import type { ThreadProgress } from '../measured-load/messages.ts';
import type { LiveInstance } from '../platform/instance-log.ts';
import type { Clock } from '../process/clock.ts';
import { isFailure, type Sample } from '../results/sample.ts';

export type Stage =
  | 'starting the target'
  | 'settling'
  | 'warm-up'
  | 'deploying'
  | 'cool-down'
  | 'stopping';

/** How long a trial's parts take, to estimate its end: known ones from the scenario. */
export interface TrialPlan {
  settleMs: number;
  warmupMs: number;
  cooldownMs: number;
  /** The last deploy's duration; unknown before the first deploy ended. */
  deployMs?: number;
  /** A shard measures a fixed span from its load's start, whenever the deploy ends. */
  fixedLoadMs?: number;
}

/**
 * What a running trial looks like right now, for live progress. Updated per sample: counters only;
 * everything else is read a few times a second by the view.
 */
export class LiveStats {
  variant = '';
  trial = 0;
  trialsPerVariant = 0;
  /** Trials finished in the whole run, and how many there are. */
  trialsDone = 0;
  trialsTotal = 0;
  stage: Stage = 'starting the target';
  /** The deploy's latest phase and its detail. */
  phase = '';
  requests = 0;
  errors = 0;
  lastMs = 0;
  worstMs = 0;
  /** Responses per instance so far (named as in the recording: instance header, else release). */
  answeredBy: () => Iterable<[string, number]> = () => [];
  /** performance.now() when the trial started (0 before the first), and when each stage began. */
  trialStartedAt = 0;
  private readonly stageStartedAt = new Map<Stage, number>();
  /** Bumped at every trial: a view that kept counts of the last one starts over. */
  generation = 0;
  plan: TrialPlan = { settleMs: 0, warmupMs: 0, cooldownMs: 0 };
  /** How long the last trial's target took to start: the next one is expected to take as long. */
  private lastStartupMs: number | undefined;
  /** The trial's clock, once its load started: the age of a request in flight is read on it. */
  clock: Clock | undefined;
  /** Requests in flight now, of this thread's generator or every thread's. */
  inFlight: () => InFlight = () => ({ count: 0 });
  /** The embedded platform's processes now; undefined for an external target. */
  platformInstances: (() => LiveInstance[]) | undefined;

  startTrial(variant: string, trial: number, plan: TrialPlan): void {
    this.variant = variant;
    this.trial = trial;
    this.plan = plan;
    this.phase = '';
    this.requests = 0;
    this.errors = 0;
    this.lastMs = 0;
    this.worstMs = 0;
    this.answeredBy = () => [];
    this.clock = undefined;
    this.inFlight = () => ({ count: 0 });
    this.platformInstances = undefined;
    this.generation++;
    this.trialStartedAt = performance.now();
    this.stageStartedAt.clear();
    this.enter('starting the target');
  }

  enter(stage: Stage): void {
    const now = performance.now();
    this.stage = stage;
    this.stageStartedAt.set(stage, now);
    if (stage === 'settling') this.lastStartupMs = now - this.trialStartedAt;
  }

  /**
   * How long the trial is expected to take from its start, as far as it can be told now: the target's
   * start as it took, then the scenario's settle, warm-up and cool-down, and the deploy as long as the
   * last one took — or, before any deploy ended, as long as this one has taken so far. `open` says
   * that the deploy's length is not known yet.
   */
  expected(now = performance.now()): { ms: number; open: boolean } {
    const { plan } = this;
    const settleStart = this.stageStartedAt.get('settling');
    const startup =
      settleStart !== undefined
        ? settleStart - this.trialStartedAt
        : Math.max(this.lastStartupMs ?? 0, now - this.trialStartedAt);
    if (plan.fixedLoadMs !== undefined) {
      return { ms: startup + plan.settleMs + plan.fixedLoadMs, open: false };
    }
    const deployStart = this.stageStartedAt.get('deploying');
    const deployEnd = this.stageStartedAt.get('cool-down');
    const soFar = deployStart === undefined ? 0 : (deployEnd ?? now) - deployStart;
    const deploy = deployEnd !== undefined ? soFar : Math.max(plan.deployMs ?? 0, soFar);
    return {
      ms: startup + plan.settleMs + plan.warmupMs + deploy + plan.cooldownMs,
      open: plan.deployMs === undefined && deployEnd === undefined,
    };
  }

  /** The counters of several generator threads, each as it reported them last. */
  combine(threads: readonly ThreadProgress[]): void {
    this.requests = threads.reduce((sum, t) => sum + t.requests, 0);
    this.errors = threads.reduce((sum, t) => sum + t.errors, 0);
    this.lastMs = threads.at(-1)?.lastMs ?? 0;
    this.worstMs = Math.max(0, ...threads.map((t) => t.worstMs));
    const answered = new Map<string, number>();
    for (const thread of threads) {
      for (const [id, count] of thread.answeredBy)
        answered.set(id, (answered.get(id) ?? 0) + count);
    }
    this.answeredBy = () => answered;
    const count = threads.reduce((sum, t) => sum + t.inFlight.count, 0);
    const starts = threads.flatMap((t) =>
      t.inFlight.oldestStart === undefined ? [] : [t.inFlight.oldestStart],
    );
    const combined: InFlight =
      starts.length > 0 ? { count, oldestStart: Math.min(...starts) } : { count };
    this.inFlight = () => combined;
  }

  record(sample: Sample): void {
    this.requests++;
    if (isFailure(sample)) this.errors++;
    this.lastMs = sample.latencyMs;
    if (sample.latencyMs > this.worstMs) this.worstMs = sample.latencyMs;
  }

  /** What a thread reports of its counters (measured-load/generator-thread.ts). */
  progress(): ThreadProgress {
    return {
      requests: this.requests,
      errors: this.errors,
      lastMs: this.lastMs,
      worstMs: this.worstMs,
      answeredBy: [...this.answeredBy()],
      inFlight: this.inFlight(),
    };
  }
}
