import { isFailure, type Sample } from '../load/sample.ts';
import type { ThreadProgress } from '../workers/messages.ts';

export type Stage =
  | 'starting the target'
  | 'settling'
  | 'warm-up'
  | 'deploying'
  | 'cool-down'
  | 'stopping';

/** What a running trial looks like right now, for live progress. Updated per sample: counters only. */
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
  /** performance.now() when the trial's load started; 0 before. */
  loadStartedAt = 0;
  /** How long the trial is expected to last from its load's start (ms). */
  expectedMs = 0;

  startTrial(variant: string, trial: number): void {
    this.variant = variant;
    this.trial = trial;
    this.stage = 'starting the target';
    this.phase = '';
    this.requests = 0;
    this.errors = 0;
    this.lastMs = 0;
    this.worstMs = 0;
    this.loadStartedAt = 0;
  }

  /** The counters of several generator threads, each as it reported them last. */
  combine(threads: readonly ThreadProgress[]): void {
    this.requests = threads.reduce((sum, t) => sum + t.requests, 0);
    this.errors = threads.reduce((sum, t) => sum + t.errors, 0);
    this.lastMs = threads.at(-1)?.lastMs ?? 0;
    this.worstMs = Math.max(0, ...threads.map((t) => t.worstMs));
  }

  record(sample: Sample): void {
    this.requests++;
    if (isFailure(sample)) this.errors++;
    this.lastMs = sample.latencyMs;
    if (sample.latencyMs > this.worstMs) this.worstMs = sample.latencyMs;
  }
}
