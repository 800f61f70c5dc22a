import { type AnalysedTrial, analyseTrial } from '../analysis/analyse.ts';
import type { Gate } from '../gates/parse.ts';
import { failedByEndpoint, type LoadProgress, NO_PROGRESS } from '../measured-load/counters.ts';
import type { InstanceState } from '../platform/instance-log.ts';
import type { Clock } from '../process/clock.ts';
import { type DeployEvent, deployDurationMs } from '../results/deploy-events.ts';
import type { GateResult, TrialResult } from '../results/run.ts';
import type { RunObserver, RunPlan, TrialRef } from '../run/observer.ts';
import type { LiveLoad, LivePlatform, Stage } from '../trial/observer.ts';
import { judgedAtEnd, judgeSoFar, type LiveGate, type VariantSoFar } from './gates.ts';
import { ShareWindow } from './shares.ts';
import { disruptionSoFarMs, type LiveTrialView, liveTrialView } from './trial-view.ts';

/** How often the model reads the load's counters for the traffic shares. */
const READ_EVERY_MS = 250;

/** How long the trial takes, to estimate its end: known parts from the scenario. */
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
 * An instance as every live view shows it: the embedded platform's processes with their state, or
 * the instances the load has seen answer (named by their header or release) for another target.
 */
export interface LiveInstanceView {
  id: string;
  release?: string;
  /** `answering` / `idle`: an instance only the load saw, by whether it answered in the window. */
  state: InstanceState | 'answering' | 'idle';
  /** How long it has been in that state (ms); for `idle`, since its last answer. */
  forMs?: number;
  /** Embedded platform: up, and not (yet, or any more) in the router's rotation. */
  notRouted?: boolean;
  /** Its share of the responses of the last few seconds, in [0, 1]: 0 for a stopped process. */
  share: number;
  /** Responses it answered in this trial. */
  requests: number;
}

/** The whole run as every live view reads it, now: plain data (the page receives it as JSON). */
export interface LiveSnapshot {
  scenario: string;
  state: 'starting' | 'running' | 'writing reports' | 'ended';
  variants: string[];
  watching: boolean;
  trialsPerVariant: number;
  trialsDone: number;
  trialsTotal: number;
  /** Of the whole run, in [0, 1]: trials done plus the running one's estimated part. */
  done: number;
  trial?: {
    variant: string;
    trial: number;
    stage: Stage;
    /** The deploy's latest phase and its detail. */
    phase: string;
    elapsedMs: number;
    /** The trial's estimated length, and whether the deploy's is still unknown (`open`). */
    expectedMs: number;
    expectedOpen: boolean;
    /** The trial's clock now (ms since its load started), once it did. */
    t?: number;
  };
  /** The running trial's load; absent before it started (nothing measured: no zeros). */
  load?: {
    requests: number;
    failed: number;
    /** Requests per second over the last few seconds; absent until known. */
    rate?: number;
    inFlight: number;
    oldestInFlightMs: number;
    lastMs: number;
    worstMs: number;
  };
  instances: LiveInstanceView[];
  /** The running trial's deploy events, on its clock. */
  timeline: { t: number; phase: string; detail?: string }[];
  /** Every trial that ended, with its exact figures and findings. */
  ended: EndedTrial[];
  gates: LiveGate[];
  /** How the run ended, and where its report is; absent while it runs. */
  outcome?: { line: string; report?: string };
}

export interface EndedTrial {
  variant: string;
  trial: number;
  status: TrialResult['status'];
  requests: number;
  failed: number;
  longestMs: number;
  userWaitMs: number;
  /** Why users were hurt, one title each (docs/diagnosis.md). */
  findings: string[];
}

/**
 * The one live model of a run: it watches the run (a RunObserver), reads the load's counters and
 * series as it goes, and answers every live view (the terminal, the CI lines, the page, /metrics,
 * /gate) from the same state. Read-only for its readers: nothing they do reaches the run.
 */
export class LiveModel implements RunObserver {
  variant = '';
  trial = 0;
  private trialsPerVariant = 0;
  private trialsDone = 0;
  private trialsTotal = 0;
  private variants: string[] = [];
  currentStage: Stage = 'starting the target';
  private currentPhase = '';
  /** performance.now() when the trial started (0 before the first), and when each stage began. */
  private trialStartedAt = 0;
  private readonly stageStartedAt = new Map<Stage, number>();
  private plan: TrialPlan = { settleMs: 0, warmupMs: 0, cooldownMs: 0 };
  private runPlan: RunPlan | undefined;
  private lastDeployMs: number | undefined;
  /** How long the last trial's target took to start: the next one is expected to take as long. */
  private lastStartupMs: number | undefined;
  private load: LiveLoad | undefined;
  private platform: LivePlatform | undefined;
  private timeline: DeployEvent[] = [];
  private shares = new ShareWindow();
  private reader: NodeJS.Timeout | undefined;
  private state: LiveSnapshot['state'] = 'starting';
  /** Each ended trial, analysed when a view first asks (a quiet run without --serve never does). */
  private readonly endedTrials: EndedTrialRecord[] = [];
  /** Per variant, each ended trial's last counters: with the running one's, the run's totals. */
  private readonly settled = new Map<string, LoadProgress[]>();
  /** Gates that failed for good, by expression: they stay failed (never back). */
  private readonly failedGates = new Map<string, LiveGate>();
  private finalGates: GateResult[] | undefined;
  private outcome: LiveSnapshot['outcome'];

  constructor(
    readonly scenario: string,
    private readonly gates: readonly Gate[] = [],
    /** The scenario's endpoint names, in order (empty for the single `load.request`). */
    readonly endpoints: readonly string[] = [],
    /** Users who wait for each answer (closed), or arrivals that stand alone (open). */
    private readonly loadModel: 'closed' | 'open' = 'closed',
  ) {}

  /** A variant's place in the scenario, which gives it its colour in every chart (-1: unknown). */
  variantIndex(name: string): number {
    return this.variants.indexOf(name);
  }

  /** `bench watch`: the load runs until it is told to stop, with no deploy of its own. */
  get watching(): boolean {
    return this.runPlan?.watching ?? false;
  }

  runStarted(plan: RunPlan): void {
    this.runPlan = plan;
    this.variants = plan.variants;
    this.trialsPerVariant = plan.trialsPerVariant;
    this.trialsTotal = plan.variants.length * plan.trialsPerVariant;
    this.state = 'running';
  }

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
    this.platform = undefined;
    this.timeline = [];
    this.shares = new ShareWindow();
    this.trialStartedAt = performance.now();
    this.stageStartedAt.clear();
    this.stage('starting the target');
  }

  trialEnded(ref: TrialRef, result: TrialResult): void {
    this.stopReading();
    const deployMs = deployDurationMs(result.recording.timeline);
    if (!Number.isNaN(deployMs)) this.lastDeployMs = deployMs;
    this.trialsDone++;
    if (this.load) {
      const counts = this.settled.get(ref.variant) ?? [];
      counts.push(this.load.progress());
      this.settled.set(ref.variant, counts);
    }
    this.load = undefined;
    this.endedTrials.push(new EndedTrialRecord(ref, result));
  }

  writingReports(): void {
    this.stopReading();
    // A trial that ended without a result (a failed write) is not running either.
    this.load = undefined;
    this.state = 'writing reports';
  }

  stage(stage: Stage): void {
    const now = performance.now();
    this.currentStage = stage;
    this.stageStartedAt.set(stage, now);
    if (stage === 'settling') this.lastStartupMs = now - this.trialStartedAt;
  }

  platformUp(platform: LivePlatform): void {
    this.platform = platform;
  }

  loadStarted(load: LiveLoad): void {
    this.load = load;
    this.stopReading();
    this.reader = setInterval(() => this.read(), READ_EVERY_MS);
    this.reader.unref();
    this.read();
  }

  phase(event: DeployEvent): void {
    this.timeline.push(event);
    this.currentPhase = event.detail ? `${event.phase} ${event.detail}` : event.phase;
  }

  /** The run ended: its gates as the run judged them, and where its report is. */
  runEnded(outcome: { line: string; gates: readonly GateResult[]; report?: string }): void {
    this.stopReading();
    this.load = undefined;
    this.state = 'ended';
    this.finalGates = [...outcome.gates];
    this.outcome = { line: outcome.line, ...(outcome.report ? { report: outcome.report } : {}) };
  }

  /** Lets go of the timer (the run ended, or failed before it could say so). */
  close(): void {
    this.stopReading();
  }

  private stopReading(): void {
    clearInterval(this.reader);
    this.reader = undefined;
  }

  private read(): void {
    const load = this.load;
    if (!load) return;
    const { requests, answeredBy } = load.progress();
    this.shares.observe(performance.now(), requests, answeredBy);
  }

  /** The running trial's counters now (zeros before its load started). */
  counters(): LoadProgress {
    return this.load?.progress() ?? NO_PROGRESS;
  }

  /** The trial's clock, once its load started. */
  get clock(): Clock | undefined {
    return this.load?.clock;
  }

  /** The trial's estimated length, from its stages so far and the last trial's deploy. */
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

  /** The instances now, with their share of the last few seconds' responses. */
  instances(now = performance.now()): LiveInstanceView[] {
    const shares = this.shares.shares();
    const answered = new Map(this.counters().answeredBy);
    const platform = this.platform;
    if (platform) {
      const releases = new Map(
        this.clock ? platform.lifecycle(this.clock.origin).map((l) => [l.id, l.release]) : [],
      );
      return platform.live().map((instance) => {
        // A process that is not running receives nothing, whatever it answered before it stopped.
        const receives = instance.state === 'up' || instance.state === 'stopping';
        const release = releases.get(instance.id);
        return {
          id: instance.id,
          ...(release !== undefined ? { release } : {}),
          state: instance.state,
          forMs: instance.forMs,
          ...(instance.state === 'up' && !instance.routed ? { notRouted: true } : {}),
          share: receives ? (shares.get(instance.id) ?? 0) : 0,
          requests: answered.get(instance.id) ?? 0,
        };
      });
    }
    // Another target: the instances the load has seen, by whether they answered in the window.
    return this.shares.seen().map((id) => {
      const share = shares.get(id) ?? 0;
      const last = this.shares.answeredAt(id);
      return {
        id,
        state: share > 0 ? 'answering' : 'idle',
        ...(share === 0 && last !== undefined ? { forMs: now - last } : {}),
        share,
        requests: answered.get(id) ?? 0,
      };
    });
  }

  /** The running trial as the report's charts draw a measured one; undefined before its load. */
  trialView(): LiveTrialView | undefined {
    const load = this.load;
    if (!load) return undefined;
    const nowMs = load.clock.now();
    const expected = this.expected();
    const loadStart = this.stageStartedAt.get('warm-up') ?? this.stageStartedAt.get('watching');
    // The expected end on the trial's clock: what is left of the estimate, from now.
    const elapsed = performance.now() - this.trialStartedAt;
    return liveTrialView({
      trial: this.trial,
      series: load.series(),
      lifecycle: this.platform?.lifecycle(load.clock.origin) ?? [],
      timeline: this.timeline,
      nowMs,
      expectedEndMs: loadStart === undefined ? nowMs : nowMs + Math.max(0, expected.ms - elapsed),
      warmupMs: this.plan.warmupMs,
    });
  }

  /** Every gate on what has been measured so far; the run's own verdicts once it ended. */
  gatesNow(): LiveGate[] {
    const judged = this.finalGates
      ? judgedAtEnd(this.finalGates)
      : judgeSoFar(this.gates, this.soFar(), this.endpoints);
    return judged.map((gate) => {
      const key = `${gate.variant}\u0000${gate.source}`;
      const failed = this.failedGates.get(key);
      if (failed && gate.status !== 'failed') return failed;
      if (gate.status === 'failed' && !failed) this.failedGates.set(key, gate);
      return gate;
    });
  }

  private soFar(): VariantSoFar[] {
    const progress = this.load?.progress();
    const clock = this.load?.clock;
    return this.variants.map((name) => {
      const ended = this.endedTrials.filter((t) => t.ref.variant === name).map((t) => t.analysed());
      if (name !== this.variant || !progress || !clock) return { name, ended };
      // As old as the load saw it when it last reported: it took at least that long.
      const inFlightMs = progress.oldestInFlightMs;
      return {
        name,
        ended,
        running: {
          trial: this.trial,
          errors: progress.errors,
          errorsByEndpoint: failedByEndpoint(progress.labelled, Math.max(1, this.endpoints.length)),
          longestMs: Math.max(progress.worstMs, inFlightMs),
          siegeLongestMs: progress.worstOkMs,
          // A closed model's user waits at least as long as any of its requests, one in flight
          // included; the open model's user wait is its longest successful request.
          userWaitMs:
            this.loadModel === 'closed'
              ? Math.max(progress.worstMs, inFlightMs)
              : progress.worstOkMs,
        },
      };
    });
  }

  /** Per variant, the counters of its ended trials and of the running one: the run's totals. */
  countsByVariant(): Map<string, LoadProgress[]> {
    const counts = new Map(this.variants.map((v) => [v, [...(this.settled.get(v) ?? [])]]));
    if (this.load) counts.get(this.variant)?.push(this.load.progress());
    return counts;
  }

  /** Per variant, disruption so far: the ended trials' exact, and the running one's by interval. */
  disruptionByVariant(): Map<string, number> {
    return new Map(
      this.variants.map((name) => {
        const ended = this.endedTrials
          .filter((t) => t.ref.variant === name)
          .reduce((sum, t) => sum + t.analysed().metrics.disruptionMs, 0);
        const running =
          name === this.variant && this.load ? disruptionSoFarMs(this.load.series()) : 0;
        return [name, ended + running];
      }),
    );
  }

  snapshot(now = performance.now()): LiveSnapshot {
    const running = this.trial > 0 && this.state === 'running';
    const expected = this.expected(now);
    const elapsed = now - this.trialStartedAt;
    const inTrial = running && expected.ms > 0 ? Math.min(0.99, elapsed / expected.ms) : 0;
    const done =
      this.trialsTotal > 0 ? Math.min(1, (this.trialsDone + inTrial) / this.trialsTotal) : 0;
    const clock = this.clock;
    const counters = this.counters();

    const rate = this.shares.rate();
    return {
      scenario: this.scenario,
      state: this.state,
      variants: this.variants,
      watching: this.watching,
      trialsPerVariant: this.trialsPerVariant,
      trialsDone: this.trialsDone,
      trialsTotal: this.trialsTotal,
      done: this.state === 'running' ? done : this.state === 'starting' ? 0 : 1,
      ...(running
        ? {
            trial: {
              variant: this.variant,
              trial: this.trial,
              stage: this.currentStage,
              phase: this.currentPhase,
              elapsedMs: elapsed,
              expectedMs: expected.ms,
              expectedOpen: expected.open,
              ...(clock ? { t: clock.now() } : {}),
            },
          }
        : {}),
      ...(running && this.load && clock
        ? {
            load: {
              requests: counters.requests,
              failed: counters.errors,
              ...(rate !== undefined ? { rate } : {}),
              inFlight: counters.inFlight.count,
              oldestInFlightMs: counters.oldestInFlightMs,
              lastMs: counters.lastMs,
              worstMs: counters.worstMs,
            },
          }
        : {}),
      instances: running ? this.instances(now) : [],
      timeline: running
        ? this.timeline.map(({ t, phase, detail }) => ({ t, phase, ...(detail ? { detail } : {}) }))
        : [],
      ended: this.endedTrials.map((t) => endedTrial(t.ref, t.analysed())),
      gates: this.gatesNow(),
      ...(this.outcome ? { outcome: this.outcome } : {}),
    };
  }
}

class EndedTrialRecord {
  private analysis: AnalysedTrial | undefined;

  constructor(
    readonly ref: TrialRef,
    private readonly result: TrialResult,
  ) {}

  analysed(): AnalysedTrial {
    this.analysis ??= analyseTrial(this.result, `${this.ref.variant}, trial ${this.ref.trial}`);
    return this.analysis;
  }
}

function endedTrial(ref: TrialRef, { result, metrics, findings }: AnalysedTrial): EndedTrial {
  return {
    variant: ref.variant,
    trial: ref.trial,
    status: result.status,
    requests: metrics.requests,
    failed: metrics.errors,
    longestMs: metrics.longestTransactionMs,
    userWaitMs: metrics.longestUserWaitMs,
    findings: findings.map((f) => f.title),
  };
}
