import { Worker } from 'node:worker_threads';
import { shareOfShare } from '../load/share.ts';
import { mergeRecordings } from '../record/merge.ts';
import { decodeRecording } from '../results/codec.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import { createLatencyHistogram, decodeHistogram, encodeHistogram } from '../results/histogram.ts';
import { combineProgress, type LoadProgress, NO_PROGRESS } from './counters.ts';
import { LiveSeries, type SeriesUpdate } from './live-series.ts';
import type { MeasuredLoad, MeasuredLoadOptions } from './measured-load.ts';
import type { FromThread, GeneratorThreadData, ToThread } from './messages.ts';

/**
 * The thread's first module. The package runs compiled: the thread starts from the compiled file.
 * Tests and scripts run the sources through tsx, whose loader a worker thread does not inherit: the
 * thread then starts from a small module that registers tsx first.
 */
const ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./generator-thread.mjs', import.meta.url)
  : new URL('./generator-thread.js', import.meta.url);

/** How often the threads learn that every deploy event up to now has been sent to them. */
const WATERMARK_EVERY_MS = 5;

/** A generator thread failed: the trial cannot be measured. */
class GeneratorThreadError extends Error {
  override name = 'GeneratorThreadError';
}

/**
 * The load spread over worker threads, each with its share and its own recorder. Threads send
 * counters for live progress a few times a second, never a message per request; the deploy's events
 * go to every thread as they happen, with a watermark so that each records in the order one thread
 * would (measured-load/ordered-recorder.ts); at the end their recordings are merged exactly.
 */
export async function startWorkerLoad(options: MeasuredLoadOptions): Promise<MeasuredLoad> {
  const { target, share, threads: count, recorder } = options;
  const threads = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      GeneratorThread.boot({ target, share: shareOfShare(share, index, count), recorder }),
    ),
  );
  const progress: LoadProgress[] = threads.map(() => NO_PROGRESS);
  let combined = NO_PROGRESS;
  const series = new LiveSeries();
  threads.forEach((thread, index) => {
    thread.onProgress = ({ series: update, ...latest }) => {
      progress[index] = latest;
      combined = combineProgress(progress);
      series.apply(index, update);
    };
  });
  const all = <T>(f: (thread: GeneratorThread) => Promise<T>) => Promise.all(threads.map(f));
  const broadcast = (message: ToThread) => {
    for (const thread of threads) thread.post(message);
  };
  let watermarks: NodeJS.Timeout | undefined;
  let triggered = false;
  /** The pooling of the threads' baselines at the trigger; its failure surfaces at the stop. */
  let pooling: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const poolBaselines = async (event: DeployEvent) => {
    const shares = await all((thread) => thread.request({ type: 'trigger', event }, 'baseline'));
    const pooled = createLatencyHistogram();
    for (const share of shares) pooled.add(decodeHistogram(share.latency));
    broadcast({ type: 'pooled-baseline', latency: encodeHistogram(pooled) });
  };
  return {
    start(clock, slowThreshold) {
      broadcast({
        type: 'start',
        clockOrigin: clock.origin,
        ...(slowThreshold ? { slowThreshold } : {}),
      });
      watermarks = setInterval(
        () => broadcast({ type: 'watermark', t: clock.now() }),
        WATERMARK_EVERY_MS,
      );
    },
    event(event) {
      if (event.phase === 'triggered' && !triggered) {
        triggered = true;
        pooling = poolBaselines(event);
        pooling.catch(() => {}); // awaited, and reported, by stop()
      } else {
        broadcast({ type: 'event', event });
      }
    },
    stop(mode) {
      // Again while a drain waits: the threads cut their requests short, and the first stop's
      // replies are still the ones awaited.
      if (stopping) {
        if (mode === 'abort') broadcast({ type: 'stop', mode });
        return stopping;
      }
      clearInterval(watermarks);
      stopping = (async () => {
        await pooling;
        await all((thread) => thread.request({ type: 'stop', mode }, 'stopped'));
      })();
      return stopping;
    },
    async finish(durationMs) {
      const finished = await all((thread) =>
        thread.request({ type: 'finish', durationMs }, 'finished'),
      );
      return {
        recording: mergeRecordings(finished.map((m) => decodeRecording(m.recording))),
        eventLoopUtilization: Math.max(...finished.map((m) => m.eventLoopUtilization)),
      };
    },
    async dispose() {
      clearInterval(watermarks);
      await all((thread) => thread.terminate());
    },
    progress: () => combined,
    series: () => series,
  };
}

type Reply<K extends FromThread['type']> = Extract<FromThread, { type: K }>;

/** One worker thread and the replies it owes (ready, baseline, stopped, finished). */
class GeneratorThread {
  onProgress: (progress: LoadProgress & { series: SeriesUpdate }) => void = () => {};
  private readonly pending = new Map<
    FromThread['type'],
    { resolve: (m: FromThread) => void; reject: (e: Error) => void }
  >();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromThread) => {
      if (message.type === 'progress') this.onProgress(message);
      else if (message.type === 'failed') this.fail(new GeneratorThreadError(message.message));
      else {
        this.pending.get(message.type)?.resolve(message);
        this.pending.delete(message.type);
      }
    });
    worker.on('error', (error) => this.fail(new GeneratorThreadError(error.message)));
    worker.on('exit', () => this.fail(new GeneratorThreadError('a generator thread exited')));
  }

  static boot(data: GeneratorThreadData): Promise<GeneratorThread> {
    const thread = new GeneratorThread(new Worker(ENTRY, { workerData: data }));
    return thread.reply('ready').then(() => thread);
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  post(message: ToThread): void {
    this.worker.postMessage(message);
  }

  request<K extends FromThread['type']>(message: ToThread, reply: K): Promise<Reply<K>> {
    const answer = this.reply(reply);
    this.post(message);
    return answer;
  }

  private reply<K extends FromThread['type']>(type: K): Promise<Reply<K>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(type, { resolve: (m) => resolve(m as Reply<K>), reject });
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
