import { Worker } from 'node:worker_threads';
import { shareOfShare } from '../load/share.ts';
import { decodeRecording } from '../record/codec.ts';
import { mergeRecordings } from '../record/merge.ts';
import type { Recording } from '../record/recording.ts';
import type { MeasuredLoad, MeasuredLoadOptions } from '../trial/measured-load.ts';
import type { FromThread, GeneratorThreadData, ThreadProgress, ToThread } from './messages.ts';

const ENTRY = new URL('./generator-thread.mjs', import.meta.url);

/** A generator thread failed: the trial cannot be measured. */
export class GeneratorThreadError extends Error {
  override name = 'GeneratorThreadError';
}

/**
 * The load spread over worker threads, each with its share and its own recorder. Threads send
 * counters for live progress a few times a second, never a message per request; the deploy's events
 * go to every thread as they happen; at the end their recordings are merged exactly.
 */
export async function startWorkerLoad(options: MeasuredLoadOptions): Promise<MeasuredLoad> {
  const { origin, share, threads: count, recorder, live } = options;
  const threads = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      GeneratorThread.boot({ origin, share: shareOfShare(share, index, count), recorder }),
    ),
  );
  const progress: ThreadProgress[] = threads.map(() => ({
    requests: 0,
    errors: 0,
    lastMs: 0,
    worstMs: 0,
  }));
  threads.forEach((thread, index) => {
    thread.onProgress = (latest) => {
      progress[index] = latest;
      if (live) live.combine(progress);
    };
  });
  const all = <T>(f: (thread: GeneratorThread) => Promise<T>) => Promise.all(threads.map(f));
  return {
    start(clock) {
      for (const thread of threads) thread.post({ type: 'start', clockOrigin: clock.origin });
    },
    event(event) {
      for (const thread of threads) thread.post({ type: 'event', event });
    },
    async stop(mode) {
      await all((thread) => thread.request({ type: 'stop', mode }, 'stopped'));
    },
    async finish(durationMs) {
      const finished = await all((thread) =>
        thread.request({ type: 'finish', durationMs }, 'finished'),
      );
      const recordings: Recording[] = finished.map((m) => decodeRecording(m.recording));
      return {
        recording: mergeRecordings(recordings),
        eventLoopUtilization: Math.max(...finished.map((m) => m.eventLoopUtilization)),
      };
    },
    async dispose() {
      await all((thread) => thread.terminate());
    },
  };
}

type Reply<K extends FromThread['type']> = Extract<FromThread, { type: K }>;

/** One worker thread and the one reply it owes at a time (ready, stopped, finished). */
class GeneratorThread {
  onProgress: (progress: ThreadProgress) => void = () => {};
  private pending:
    | { type: FromThread['type']; resolve: (m: FromThread) => void; reject: (e: Error) => void }
    | undefined;
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromThread) => {
      if (message.type === 'progress') this.onProgress(message);
      else if (message.type === 'failed') this.fail(new GeneratorThreadError(message.message));
      else if (message.type === this.pending?.type) {
        this.pending.resolve(message);
        this.pending = undefined;
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
      this.pending = { type, resolve: (m) => resolve(m as Reply<K>), reject };
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.pending?.reject(error);
    this.pending = undefined;
  }
}
