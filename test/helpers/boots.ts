/** A deploy's phases as a trial and results.json record them. */
type Timeline = readonly { t: number; phase: string }[];
/** A request as the longest ones are kept: when it started, and how long it took. */
interface Request {
  t: number;
  latencyMs: number;
}

/** Each boot of the deploy, from `booting` to the next `up`, on the trial's clock. */
export function boots(timeline: Timeline): [number, number][] {
  return timeline.flatMap((event, i) => {
    if (event.phase !== 'booting') return [];
    const up = timeline.slice(i).find((e) => e.phase === 'up');
    return up ? [[event.t, up.t] as [number, number]] : [];
  });
}

/**
 * Whether [start, end] lasted through a whole boot: a request sent before it began and answered
 * after it was up, or a disruption that covered it. A busy machine's slow request does not.
 */
export function lastsThroughABoot(timeline: Timeline, start: number, end: number): boolean {
  return boots(timeline).some(([booting, up]) => start <= booting && end >= up);
}

/**
 * Whether a request waited for a boot: sent before half of it was over (a busy client may send its
 * next request just after the boot began), answered only once the new process was up.
 */
export function waitsForABoot(timeline: Timeline, request: Request): boolean {
  return boots(timeline).some(
    ([booting, up]) => request.t < (booting + up) / 2 && request.t + request.latencyMs >= up,
  );
}
