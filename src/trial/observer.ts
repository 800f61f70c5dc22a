import type { LoadProgress } from '../measured-load/counters.ts';
import type { LiveInstance } from '../platform/instance-log.ts';
import type { Clock } from '../process/clock.ts';
import type { DeployEvent } from '../results/deploy-events.ts';

export type Stage =
  | 'starting the target'
  | 'settling'
  | 'warm-up'
  | 'deploying'
  | 'cool-down'
  /** `bench watch`: load on, waiting for somebody else's deploy. */
  | 'watching'
  | 'stopping';

/** A trial's load while it runs: its clock, and its counters, read at the reader's own pace. */
export interface LiveLoad {
  clock: Clock;
  progress(): LoadProgress;
}

/**
 * What a trial tells whoever watches it (the CLI's live view, the progress lines, a library's
 * caller), as it happens. Every method is optional; none may throw, and none changes the trial.
 */
export interface TrialObserver {
  /** The trial went on to its next stage. */
  stage?(stage: Stage): void;
  /** The embedded platform is up: its processes can be listed live. */
  platformUp?(instances: () => LiveInstance[]): void;
  /** The measured load started; the deploy follows the warm-up. */
  loadStarted?(load: LiveLoad): void;
  /** A deploy phase, stamped on the trial's clock. */
  phase?(event: DeployEvent): void;
}
