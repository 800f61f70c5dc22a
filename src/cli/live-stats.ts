import { type LoadProgress, NO_PROGRESS } from '../measured-load/counters.ts';
import type { LiveInstance } from '../platform/instance-log.ts';
import type { Clock } from '../process/clock.ts';
import { type DeployEvent, deployDurationMs } from '../results/deploy-events.ts';
import type { TrialResult } from '../results/run.ts';
import type { RunObserver, RunPlan, TrialRef } from '../run/observer.ts';
import type { LiveLoad, Stage } from '../trial/observer.ts';

/** How long a trial's parts take, to estimate its end: known ones from the scenario. */
interface TrialPlan {
  settleMs: number;
  warmupMs: number;
  cooldownMs: number;
  /** The last deploy's duration; unknown before the first deploy ended. */
  deployMs?: number;
  /** A shard measures a fixed span from its load's start, whenever the deploy ends. */
  fixedLoadMs?: number;
}

/**
 * What a running trial looks like right now, for the live view: it watches the run (a RunObserver)
 * and reads the load's counters whenever the view draws a frame.
 */
export class LiveStats implements RunObserver {
  variant = '';
  trial = 0;
  trialsPerVariant = 0;
  /** Trials finished in the whole run, and how many there are. */
  trialsDone = 0;
  trialsTotal = 0;
  currentStage: Stage = 'starting the target';
  /** The deploy's latest phase and its detail. */
  currentPhase = '';
  /** performance.now() when the trial started (0 before the first), and when each stage began. */
  trialStartedAt = 0;
  private readonly stageStartedAt = new Map<Stage, number>();
  /** Bumped at every trial: a view that kept counts of the last one starts over. */
  generation = 0;
  plan: TrialPlan = { settleMs: 0, warmupMs: 0, cooldownMs: 0 };
  private runPlan: RunPlan | undefined;
  private lastDeployMs: number | undefined;
  /** How long the last trial's target took to start: the next one is expected to take as long. */
  private lastStartupMs: number | undefined;
  private load: LiveLoad | undefined;
  /** The embedded platform's processes now; undefined for an external target. */
  platformInstances: (() => LiveInstance[]) | undefined;

  /** `bench watch`: the load runs until it is told to stop, with no deploy of its own. */
  get watching(): boolean {
    return this.runPlan?.watching ?? false;
  }

  runStarted(plan: RunPlan): void {
    this.runPlan = plan;
    this.trialsPerVariant = plan.trialsPerVariant;
    this.trialsTotal = plan.variants.length * plan.trialsPerVariant;
  }

  /** The view moves to the new trial before its first line: no frame of the last one comes after. */
  trialStarted({ variant, trial }: TrialRef): void {
    const plan = this.runPlan;
    this.variant = variant;
    this.trial = trial;
    this.plan = {
      settleMs: plan?.settleMs ?? 0,
      warmupMs: plan?.warmupMs ?? 0,
      cooldownMs: plan?.cooldownMs ?? 0,
      ...(this.lastDeployMs !== undefined ? { deployMs: this.lastDeployMs } : {}),
      ...(plan?.fixedLoadMs !== undefined ? { fixedLoadMs: plan.fixedLoadMs } : {}),
    };
    this.currentPhase = '';
    this.load = undefined;
    this.platformInstances = undefined;
    this.generation++;
    this.trialStartedAt = performance.now();
    this.stageStartedAt.clear();
    this.stage('starting the target');
  }

  trialEnded(_trial: TrialRef, result: TrialResult): void {
    const deployMs = deployDurationMs(result.recording.timeline);
    if (!Number.isNaN(deployMs)) this.lastDeployMs = deployMs;
    this.trialsDone++;
  }

  stage(stage: Stage): void {
    const now = performance.now();
    this.currentStage = stage;
    this.stageStartedAt.set(stage, now);
    if (stage === 'settling') this.lastStartupMs = now - this.trialStartedAt;
  }

  platformUp(instances: () => LiveInstance[]): void {
    this.platformInstances = instances;
  }

  loadStarted(load: LiveLoad): void {
    this.load = load;
  }

  phase({ phase, detail }: DeployEvent): void {
    this.currentPhase = detail ? `${phase} ${detail}` : phase;
  }

  /** The load's counters now (zeros before it started). */
  counters(): LoadProgress {
    return this.load?.progress() ?? NO_PROGRESS;
  }

  /** The trial's clock, once its load started: the age of a request in flight is read on it. */
  get clock(): Clock | undefined {
    return this.load?.clock;
  }

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
}
