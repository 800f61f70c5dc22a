import type { InFlight } from '../load/load-generator.ts';
import { isFailure, type Sample } from '../results/sample.ts';

/** A running load's counters now: what a live view shows, read as often as it likes. */
export interface LoadProgress {
  requests: number;
  errors: number;
  lastMs: number;
  worstMs: number;
  /** Responses per instance so far (named as in the recording: instance header, else release). */
  answeredBy: [string, number][];
  inFlight: InFlight;
}

export const NO_PROGRESS: Readonly<LoadProgress> = Object.freeze({
  requests: 0,
  errors: 0,
  lastMs: 0,
  worstMs: 0,
  answeredBy: [],
  inFlight: Object.freeze({ count: 0 }),
});

/** Counted per sample, on the hot path: four numbers, nothing else. */
export class LoadCounters {
  private requests = 0;
  private errors = 0;
  private lastMs = 0;
  private worstMs = 0;

  record(sample: Sample): void {
    // The live view shows what the users see; the probe is counted in the recording only.
    if (sample.probe) return;
    this.requests++;
    if (isFailure(sample)) this.errors++;
    this.lastMs = sample.latencyMs;
    if (sample.latencyMs > this.worstMs) this.worstMs = sample.latencyMs;
  }

  progress(inFlight: InFlight, answeredBy: Iterable<[string, number]>): LoadProgress {
    const { requests, errors, lastMs, worstMs } = this;
    return { requests, errors, lastMs, worstMs, answeredBy: [...answeredBy], inFlight };
  }
}

/** The counters of several generator threads, each as it reported them last. */
export function combineProgress(threads: readonly LoadProgress[]): LoadProgress {
  const answered = new Map<string, number>();
  for (const thread of threads) {
    for (const [id, count] of thread.answeredBy) answered.set(id, (answered.get(id) ?? 0) + count);
  }
  const count = threads.reduce((sum, t) => sum + t.inFlight.count, 0);
  const starts = threads.flatMap((t) =>
    t.inFlight.oldestStart === undefined ? [] : [t.inFlight.oldestStart],
  );
  return {
    requests: threads.reduce((sum, t) => sum + t.requests, 0),
    errors: threads.reduce((sum, t) => sum + t.errors, 0),
    lastMs: threads.at(-1)?.lastMs ?? 0,
    worstMs: Math.max(0, ...threads.map((t) => t.worstMs)),
    answeredBy: [...answered],
    inFlight: starts.length > 0 ? { count, oldestStart: Math.min(...starts) } : { count },
  };
}
