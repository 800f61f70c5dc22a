import type { TargetConnection } from '../load/connection.ts';
import type { LoadShare } from '../load/share.ts';
import type { RecorderOptions, SlowThreshold } from '../record/recorder.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import type { EncodedRecording } from '../results/recording-schema.ts';
import type { LoadProgress } from './counters.ts';
import type { SeriesUpdate } from './live-series.ts';

/** What a generator thread is started with (structured-cloned into it). */
export interface GeneratorThreadData {
  target: TargetConnection;
  share: LoadShare;
  recorder: RecorderOptions;
}

export type ToThread =
  /** `clockOrigin`: the trial's t0 on the process's monotonic clock, shared by every thread. */
  | { type: 'start'; clockOrigin: bigint; slowThreshold?: SlowThreshold }
  /** Every deploy event up to `t` has been sent (measured-load/ordered-recorder.ts). */
  | { type: 'watermark'; t: number }
  | { type: 'event'; event: DeployEvent }
  /** The trigger: the thread answers with its share of the baseline ... */
  | { type: 'trigger'; event: DeployEvent }
  /** ... and gets back every thread's, pooled (HdrHistogram, compressed base64). */
  | { type: 'pooled-baseline'; latency: string }
  | { type: 'stop'; mode: 'drain' | 'abort' }
  | { type: 'finish'; durationMs: number };

export type FromThread =
  | { type: 'ready' }
  | { type: 'baseline'; latency: string }
  | ({ type: 'progress'; series: SeriesUpdate } & LoadProgress)
  | { type: 'stopped' }
  | { type: 'finished'; recording: EncodedRecording; eventLoopUtilization: number }
  | { type: 'failed'; message: string };
