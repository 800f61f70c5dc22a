import { performance } from 'node:perf_hooks';
import { createLoadGenerator } from '../load/create-load-generator.ts';
import type { LoadShare } from '../load/share.ts';
import { Recorder, type RecorderOptions } from '../record/recorder.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import type { Recording } from '../results/recording.ts';
import type { LiveStats } from '../run/live-stats.ts';
import { startWorkerLoad } from '../workers/worker-load.ts';
import type { Clock } from './clock.ts';

/** The load and its recording, whether one thread sends it or several. */
export interface MeasuredLoad {
  /** Starts sending; the trial's clock starts now. */
  start(clock: Clock): void;
  /** A deploy phase, on the trial's clock. */
  event(event: DeployEvent): void;
  stop(mode: 'drain' | 'abort'): Promise<void>;
  /** Closes the recording at `durationMs`; with several threads, their recordings merged. */
  finish(durationMs: number): Promise<MeasuredResult>;
  /** Lets go of whatever is left (worker threads), whether or not the trial got to `finish`. */
  dispose(): Promise<void>;
}

export interface MeasuredResult {
  recording: Recording;
  /** The busiest generator thread's event-loop utilisation over the trial. */
  eventLoopUtilization: number;
}

export interface MeasuredLoadOptions {
  origin: string;
  share: LoadShare;
  /** Worker threads to spread the share over; 1 sends it from this thread. */
  threads: number;
  recorder: RecorderOptions;
  live?: LiveStats;
}

/** Prepares the load (boots its worker threads, if any) so that `start` sends at once. */
export async function prepareMeasuredLoad(options: MeasuredLoadOptions): Promise<MeasuredLoad> {
  return options.threads > 1 ? startWorkerLoad(options) : inThisThread(options);
}

function inThisThread({ origin, share, recorder: recorderOptions, live }: MeasuredLoadOptions) {
  const recorder = new Recorder(recorderOptions);
  let stopGenerator: (mode: 'drain' | 'abort') => Promise<void> = async () => {};
  let eluAtStart = performance.eventLoopUtilization();
  const load: MeasuredLoad = {
    start(clock) {
      const generator = createLoadGenerator({
        origin,
        load: share.load,
        share,
        clock,
        onSample: (sample) => {
          recorder.record(sample);
          live?.record(sample);
        },
        onDropped: (t) => recorder.recordDropped(t),
      });
      stopGenerator = (mode) => generator.stop(mode);
      if (live) {
        live.inFlight = () => generator.inFlight();
        live.answeredBy = () => recorder.answeredBy();
      }
      eluAtStart = performance.eventLoopUtilization();
      generator.start();
    },
    event: (event) => recorder.event(event),
    stop: (mode) => stopGenerator(mode),
    finish: async (durationMs) => ({
      recording: recorder.finish(durationMs),
      eventLoopUtilization: performance.eventLoopUtilization(eluAtStart).utilization,
    }),
    dispose: async () => {},
  };
  return load;
}
