import type { TargetConnection } from '../load/connection.ts';
import type { LoadShare } from '../load/share.ts';
import type { Clock } from '../process/clock.ts';
import type { RecorderOptions, SlowThreshold } from '../record/recorder.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import type { Recording } from '../results/recording.ts';
import type { LoadProgress } from './counters.ts';
import type { LiveSeries } from './live-series.ts';

/** The load and its recording, whether one thread sends it or several. */
export interface MeasuredLoad {
  /**
   * Starts sending; the trial's clock starts now. `slowThreshold`: when it is known only now (a
   * watch's baseline has just set it), not when the recorder was made.
   */
  start(clock: Clock, slowThreshold?: SlowThreshold): void;
  /** A deploy phase, on the trial's clock. */
  event(event: DeployEvent): void;
  /**
   * Stops sending: 'drain' waits for the requests in flight, 'abort' cuts them. Called again with
   * 'abort' while a drain waits, it cuts the drain short (`stopLoad`).
   */
  stop(mode: 'drain' | 'abort'): Promise<void>;
  /** Closes the recording at `durationMs`; with several threads, their recordings merged. */
  finish(durationMs: number): Promise<MeasuredResult>;
  /** Lets go of whatever is left (worker threads), whether or not the trial got to `finish`. */
  dispose(): Promise<void>;
  /** The counters so far, for a live view (every thread's, as each reported them last). */
  progress(): LoadProgress;
  /** The trial's intervals and instances so far, for a live view (as last reported). */
  series(): LiveSeries;
}

export interface MeasuredResult {
  recording: Recording;
  /** The busiest generator thread's event-loop utilisation over the trial. */
  eventLoopUtilization: number;
}

export interface MeasuredLoadOptions {
  target: TargetConnection;
  share: LoadShare;
  /** Worker threads to spread the share over; 1 sends it from this thread. */
  threads: number;
  recorder: RecorderOptions;
}

/**
 * The load stopped at the end of a trial: its requests in flight drained, unless `signal` aborts
 * before or while they are (a second Ctrl-C: a hung target must not hold the run for its timeout).
 */
export async function stopLoad(load: MeasuredLoad, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return load.stop('abort');
  const cut = () => {
    load.stop('abort').catch(() => {}); // the drain's own stop reports any failure
  };
  signal.addEventListener('abort', cut, { once: true });
  try {
    await load.stop('drain');
  } finally {
    signal.removeEventListener('abort', cut);
  }
}
