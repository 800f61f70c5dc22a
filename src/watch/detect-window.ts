import type { Window } from '../record/split-phases.ts';
import type { ReleaseSpan } from '../results/parts/release-spans.ts';
import { joinReleaseSpans } from '../results/parts/release-spans.ts';
import type { Recording } from '../results/recording.ts';

/** A deploy's window found from the traffic, with what marks each end, for the timeline. */
export interface DetectedWindow extends Window {
  /** E.g. "the first disruption", "release v2 first answered". */
  startSign: string;
  endSign: string;
}

interface Sign {
  t: number;
  words: string;
}

/**
 * The deploy that someone else did, found from what the load saw: from the first change of the
 * answering release or the first disruption (a failed request, or one slower than the slow
 * threshold), whichever came first, to the last of either. Undefined when the traffic shows neither.
 *
 * A change of answering release is a release that first answered after the first interval of the
 * recording (it appeared), or last answered before its last interval (it went). So a clean switch
 * from v1 to v2 spans v1's last answer to v2's first, a rolling one v2's first answer to v1's last,
 * and releases answering from the start to the end (a canary's steady split) mark nothing.
 *
 * `disruptedBeforeStart`: a request sent before the recording began (in a watch's baseline, and
 * handed over to the recording) was disrupted: the first disruption began before t0, and says so.
 *
 * A deploy still under way when the watch ended — disrupted in its last interval, or a new release
 * answering beside the old ones — ends with the watch, and says so.
 */
export function detectWindow(
  recording: Pick<
    Recording,
    'disruption' | 'instances' | 'releaseSpans' | 'intervalMs' | 'durationMs'
  >,
  disruptedBeforeStart = false,
): DetectedWindow | undefined {
  const signs: Sign[] = [];
  const margin = recording.intervalMs;
  const { durationMs } = recording;
  const { spans } = recording.disruption;
  const [firstSpan] = spans;
  const lastSpan = spans.at(-1);
  if (firstSpan && lastSpan) {
    signs.push({
      t: firstSpan[0],
      words: disruptedBeforeStart
        ? 'a disruption that began before the recording'
        : 'the first disruption',
    });
    signs.push(
      lastSpan[1] >= durationMs - margin
        ? { t: durationMs, words: 'the end of the watch, still disrupted' }
        : { t: lastSpan[1], words: 'the end of the last disruption' },
    );
  }
  const releases = recording.releaseSpans ?? releasesOfInstances(recording.instances);
  const firstAnswer = Math.min(...releases.map((r) => r.firstMs));
  const lastAnswer = Math.max(...releases.map((r) => r.lastMs));
  const came = releases.filter((r) => r.firstMs > firstAnswer + margin);
  const went = releases.filter((r) => r.lastMs < lastAnswer - margin);
  for (const { release, firstMs } of came)
    signs.push({ t: firstMs, words: `release ${release} first answered` });
  for (const { release, lastMs } of went)
    signs.push({ t: lastMs, words: `release ${release} last answered` });
  const answering = releases.filter((r) => !went.includes(r));
  if (came.length > 0 && went.length === 0 && answering.length > 1)
    signs.push({
      t: durationMs,
      words: `the end of the watch, releases ${answering.map((r) => r.release).join(' and ')} still answering`,
    });
  if (signs.length === 0) return undefined;
  const start = signs.reduce((a, b) => (b.t < a.t ? b : a));
  const end = signs.reduce((a, b) => (b.t > a.t ? b : a));
  return { startMs: start.t, endMs: end.t, startSign: start.words, endSign: end.words };
}

/**
 * When each release answered, from the instances that named one: a recording without its own
 * release spans names its instances by release (no instance header), so they are the same.
 */
function releasesOfInstances(instances: Recording['instances']): ReleaseSpan[] {
  return joinReleaseSpans(
    instances.flatMap(({ release, firstMs, lastMs }) =>
      release === undefined ? [] : [{ release, firstMs, lastMs }],
    ),
  );
}
