import type { TrialResult } from '../results/run.ts';
import type { TrialObserver } from '../trial/observer.ts';

/** What a run is about to do, for a view that estimates how long it takes. */
export interface RunPlan {
  variants: string[];
  trialsPerVariant: number;
  /** The scenario's timeline, in ms. */
  settleMs: number;
  warmupMs: number;
  cooldownMs: number;
  /** A shard measures this fixed span from its load's start, whenever the deploy ends. */
  fixedLoadMs?: number;
  /** `bench watch`: the load runs until it is told to stop, while somebody else deploys. */
  watching?: boolean;
}

/** One trial of one variant: `trial` counts from 1 within the variant. */
export interface TrialRef {
  variant: string;
  trial: number;
}

/**
 * What a run tells whoever watches it, as it happens: the CLI's live view and progress lines
 * subscribe, and so may a library's caller. Every method is optional; none changes the run.
 */
export interface RunObserver extends TrialObserver {
  runStarted?(plan: RunPlan): void;
  /** Resting `ms` before the trial (timeline.betweenTrials). */
  resting?(next: TrialRef, ms: number): void;
  trialStarted?(trial: TrialRef): void;
  /** The trial was measured (completed, failed or interrupted). */
  trialEnded?(trial: TrialRef, result: TrialResult): void;
  /** Every trial was measured: the reports are being written. */
  writingReports?(): void;
}

/** Several observers as one: each is told everything, in the order given. */
export function observeAll(...observers: RunObserver[]): Required<RunObserver> {
  return fanOut(observers, (call) => call());
}

/**
 * The observer as the run calls it: an observer that throws (a library caller's) must not fail a
 * deploy or a trial, so its error is handed to `onError` and the run goes on.
 */
export function guarded(
  observer: RunObserver,
  onError: (error: unknown) => void,
): Required<RunObserver> {
  return fanOut([observer], (call) => {
    try {
      call();
    } catch (error) {
      onError(error);
    }
  });
}

/** Every event of the RunObserver, passed to each observer through `invoke`. */
function fanOut(
  observers: readonly RunObserver[],
  invoke: (call: () => void) => void,
): Required<RunObserver> {
  const each =
    <K extends keyof RunObserver>(method: K) =>
    (...args: Parameters<NonNullable<RunObserver[K]>>) => {
      for (const observer of observers) {
        const handler = observer[method] as ((...a: typeof args) => void) | undefined;
        if (handler) invoke(() => handler.call(observer, ...args));
      }
    };
  // Required: an event added to the interface and not passed on here does not compile.
  return {
    runStarted: each('runStarted'),
    resting: each('resting'),
    trialStarted: each('trialStarted'),
    trialEnded: each('trialEnded'),
    writingReports: each('writingReports'),
    stage: each('stage'),
    platformUp: each('platformUp'),
    loadStarted: each('loadStarted'),
    phase: each('phase'),
  } satisfies Required<RunObserver>;
}

/** The run as lines for an operator or a log: each trial's start, its load's start, its phases. */
export function progressLines(write: (line: string) => void): RunObserver {
  let trials = 0;
  let warmupMs = 0;
  let settleMs = 0;
  let watching = false;
  let variant = '';
  /** The trial's trigger: phases count from it, as every report's time axis does. */
  let trigger = 0;
  return {
    runStarted(plan) {
      trials = plan.trialsPerVariant;
      warmupMs = plan.warmupMs;
      settleMs = plan.settleMs;
      watching = plan.watching ?? false;
    },
    resting(next, ms) {
      write(`${next.variant}: resting ${ms / 1000} s before trial ${next.trial}/${trials}`);
    },
    trialStarted(trial) {
      variant = trial.variant;
      // A watch starts nothing: its first stage is the baseline.
      write(
        watching
          ? `${variant}: the ${settleMs / 1000} s baseline, not recorded`
          : `${variant}: trial ${trial.trial}/${trials} — starting the target`,
      );
    },
    loadStarted() {
      write(
        watching
          ? recordingLine(variant)
          : `${variant}: load started; the deploy follows the ${warmupMs / 1000} s warm-up`,
      );
    },
    phase({ t, phase, detail }) {
      if (phase === 'triggered') trigger = t;
      write(
        `${variant}: ${((t - trigger) / 1000).toFixed(2).padStart(7)} s  ${phase}${detail ? `  ${detail}` : ''}`,
      );
    },
  };
}

/** The line a watch's recording starts with: scripts wait for it to deploy (docs/watch.md). */
export function recordingLine(variant: string): string {
  return `${variant}: recording; deploy now — the watch ends at Ctrl-C (or --duration)`;
}
