import { inThisThread } from './in-thread.ts';
import type { MeasuredLoad, MeasuredLoadOptions } from './measured-load.ts';
import { startWorkerLoad } from './worker-threads.ts';

/** Prepares the load (boots its worker threads, if any) so that `start` sends at once. */
export async function prepareMeasuredLoad(options: MeasuredLoadOptions): Promise<MeasuredLoad> {
  return options.threads > 1 ? startWorkerLoad(options) : inThisThread(options);
}
