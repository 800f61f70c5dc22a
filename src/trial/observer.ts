import type { LoadProgress } from '../measured-load/counters.ts';
import type { LiveSeries } from '../measured-load/live-series.ts';
import type { LiveInstance } from '../platform/instance-log.ts';
import type { Clock } from '../process/clock.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import type { InstanceLifecycle } from '../results/recording.ts';

export type Stage =
  | 'starting the target'
  | 'settling'
  | 'warm-up'
  | 'deploying'
  | 'cool-down'
  /** `bench watch`: load on, waiting for somebody else's deploy. */
  | 'watching'
  | 'stopping';

/** The embedded platform's processes while a trial runs. */
export interface LivePlatform {
  /** Those running, and those stopped in the last few seconds. */
  live(): LiveInstance[];
  /** Every process so far, with the moments of its life on a clock started at `origin`. */
  lifecycle(origin: bigint): InstanceLifecycle[];
}

/** A trial's load while it runs: its clock, counters and series, read at the reader's own pace. */
export interface LiveLoad {
  clock: Clock;
  progress(): LoadProgress;
  series(): LiveSeries;
}

/**
 * What a trial tells whoever watches it (the CLI's live view, the progress lines, a library's
 * caller), as it happens. Every method is optional; none may throw, and none changes the trial.
 */
export interface TrialObserver {
  /** The trial went on to its next stage. */
  stage?(stage: Stage): void;
  /** The embedded platform is up: its processes can be listed live. */
  platformUp?(platform: LivePlatform): void;
  /** The measured load started; the deploy follows the warm-up. */
  loadStarted?(load: LiveLoad): void;
  /** A deploy phase, stamped on the trial's clock. */
  phase?(event: DeployEvent): void;
}
