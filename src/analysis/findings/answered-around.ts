import { ANSWERED_RESOLUTION_MS } from '../../results/parts/answers.ts';
import type { Recording } from '../../results/recording.ts';
import { showControls } from '../../text/escape.ts';

/** Failures closer together than this are one episode. */
const EPISODE_GAP_MS = 1000;
/** A lone failure needs answers sent this close before it and after it: the probe's spacing. */
const NEAR_MS = 250;

/** Failures of one kind close together, and how many stretches of them it holds. */
export interface Episode {
  fromMs: number;
  toMs: number;
  stretches: number;
}

/**
 * The episodes of `failures` (spans in order) during which the target went on answering others:
 * a request answered without failing was sent inside the episode — a whole step of
 * `answeredSpans` strictly between its ends, so that the last answer before an outage and the first
 * after it are not — or, for a lone failure (one stretch: too short to hold an answer), within
 * NEAR_MS before it and after it. An outage of everything, however short, that failed two requests
 * apart has no answer inside it.
 * None when the same failures came before the trigger too: a target that always fails so.
 */
export function whileOthersAnswered(
  recording: Recording,
  failures: readonly [number, number][],
  trigger: number,
): Episode[] {
  if (failures.some(([, to]) => to <= trigger)) return [];
  const answered = recording.answeredSpans ?? [];
  const answeredWithin = (from: number, to: number) =>
    from < to && answered.some(([start, end]) => start < to && end > from);
  return episodesOf(failures).filter(({ fromMs, toMs, stretches }) =>
    stretches > 1
      ? answeredWithin(fromMs + ANSWERED_RESOLUTION_MS, toMs - ANSWERED_RESOLUTION_MS)
      : answeredWithin(fromMs - NEAR_MS, fromMs) && answeredWithin(toMs, toMs + NEAR_MS),
  );
}

/** Spans in order, joined into episodes where less than EPISODE_GAP_MS lies between them. */
function episodesOf(spans: readonly [number, number][]): Episode[] {
  const episodes: Episode[] = [];
  for (const [from, to] of spans) {
    const last = episodes.at(-1);
    if (last && from - last.toMs < EPISODE_GAP_MS) {
      last.toMs = Math.max(last.toMs, to);
      last.stretches++;
    } else episodes.push({ fromMs: from, toMs: to, stretches: 1 });
  }
  return episodes;
}

/** The instances that answered in the intervals from `fromMs` to `toMs`, named for a reader. */
export function answeringBetween(recording: Recording, fromMs: number, toMs: number): string[] {
  const first = Math.max(0, Math.floor(fromMs / recording.intervalMs));
  const last = Math.floor(toMs / recording.intervalMs);
  return recording.instances
    .filter((instance) => instance.perInterval.slice(first, last + 1).some((count) => count > 0))
    .map((instance) => showControls(instance.id));
}
