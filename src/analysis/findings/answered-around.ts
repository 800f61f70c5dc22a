import { unionOfSpans } from '../../results/coverage.ts';
import { ANSWERED_RESOLUTION_MS } from '../../results/parts/answers.ts';
import type { InstanceTraffic } from '../../results/parts/instances.ts';
import type { Recording } from '../../results/recording.ts';
import { showControls } from '../../text/escape.ts';

/**
 * The stretches of `spans` that end after `trigger` and during which the target went on answering
 * other requests: requests answered without failing were sent in the step of `answeredSpans` before
 * each stretch, every step through it and the step after. Failures at the edge of an outage (the
 * last answered request just before, the first just after) are not within.
 */
export function whileOthersAnswered(
  recording: Recording,
  spans: readonly [number, number][],
  trigger: number,
): [number, number][] {
  const answered = recording.answeredSpans ?? [];
  return unionOfSpans(spans).filter(
    ([from, to]) =>
      to > trigger &&
      answered.some(
        ([start, end]) =>
          start <= from - ANSWERED_RESOLUTION_MS && end >= to + ANSWERED_RESOLUTION_MS,
      ),
  );
}

/** The instances that answered in the intervals from `fromMs` to `toMs`, named for a reader. */
export function answeringBetween(recording: Recording, fromMs: number, toMs: number): string[] {
  const first = Math.max(0, Math.floor(fromMs / recording.intervalMs));
  const last = Math.floor(toMs / recording.intervalMs);
  return recording.instances
    .filter((instance: InstanceTraffic) =>
      instance.perInterval.slice(first, last + 1).some((count) => count > 0),
    )
    .map((instance) => showControls(instance.id));
}

/** When the deploy was triggered, on the trial's clock (its start without a trigger). */
export function triggerOf(recording: Recording): number {
  return recording.timeline.find((e) => e.phase === 'triggered')?.t ?? 0;
}
