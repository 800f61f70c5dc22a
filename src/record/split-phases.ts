import { sumBuckets } from '../results/bucket.ts';
import type { Bucket, Phase, Recording } from '../results/recording.ts';

/** The deploy's window on the trial's clock, in milliseconds since t0. */
export interface Window {
  startMs: number;
  endMs: number;
}

/**
 * A recording made before the deploy's window was known (`splitLater`), split into phases once it
 * is: an interval's requests are 'before' when the interval ended by the window's start, 'after'
 * when it began at or after the window's end, and 'during' otherwise. The phases are exact to an
 * interval: the requests of the intervals that the window's ends fall in count as during it.
 * Without a window, every request stays 'before'. What only finding the window needed (the unsplit
 * series, the release spans) is dropped either way.
 */
export function splitPhases(recording: Recording, window: Window | undefined): Recording {
  const { unsplit, releaseSpans: _, endpoints, ...rest } = recording;
  const split = (series: readonly Bucket[] | undefined, recorded: Record<Phase, Bucket>) => {
    if (!series || !window) return recorded;
    const byPhase: Record<Phase, Bucket[]> = { before: [], during: [], after: [] };
    series.forEach((bucket, i) => {
      const from = i * recording.intervalMs;
      const phase: Phase =
        from + recording.intervalMs <= window.startMs
          ? 'before'
          : // A window of no length still has its interval during it.
            from >= window.endMs && from > window.startMs
            ? 'after'
            : 'during';
      byPhase[phase].push(bucket);
    });
    return {
      before: sumBuckets(byPhase.before),
      during: sumBuckets(byPhase.during),
      after: sumBuckets(byPhase.after),
    };
  };
  return {
    ...rest,
    phases: split(unsplit, recording.phases),
    ...(endpoints
      ? {
          endpoints: endpoints.map(({ unsplit, ...endpoint }) => ({
            ...endpoint,
            phases: split(unsplit, endpoint.phases),
          })),
        }
      : {}),
  };
}
