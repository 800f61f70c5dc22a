import type { Window } from '../record/split-phases.ts';
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
 * A change of answering release is where the answers of one release give way to another's: a release
 * that first answered after another had (its first response), and a release that another answered
 * after (its last response). So a clean switch from v1 to v2 spans v1's last answer to v2's first, a
 * rolling one v2's first to v1's last, and a release still answering at the end marks no end.
 */
export function detectWindow(
  recording: Pick<Recording, 'disruption' | 'instances'>,
): DetectedWindow | undefined {
  const signs: Sign[] = [];
  const { spans } = recording.disruption;
  const [firstSpan] = spans;
  const lastSpan = spans.at(-1);
  if (firstSpan && lastSpan) {
    signs.push({ t: firstSpan[0], words: 'the first disruption' });
    signs.push({ t: lastSpan[1], words: 'the end of the last disruption' });
  }
  const releases = releaseSpans(recording.instances);
  const firstAnswer = Math.min(...releases.map((r) => r.firstMs));
  const lastAnswer = Math.max(...releases.map((r) => r.lastMs));
  for (const release of releases) {
    if (release.firstMs > firstAnswer)
      signs.push({ t: release.firstMs, words: `release ${release.name} first answered` });
    if (release.lastMs < lastAnswer)
      signs.push({ t: release.lastMs, words: `release ${release.name} last answered` });
  }
  if (signs.length === 0) return undefined;
  const start = signs.reduce((a, b) => (b.t < a.t ? b : a));
  const end = signs.reduce((a, b) => (b.t > a.t ? b : a));
  return { startMs: start.t, endMs: end.t, startSign: start.words, endSign: end.words };
}

/** When each release answered, from the instances that named one. */
function releaseSpans(
  instances: Recording['instances'],
): { name: string; firstMs: number; lastMs: number }[] {
  const byName = new Map<string, { name: string; firstMs: number; lastMs: number }>();
  for (const instance of instances) {
    if (instance.release === undefined) continue;
    const span = byName.get(instance.release);
    if (!span)
      byName.set(instance.release, {
        name: instance.release,
        firstMs: instance.firstMs,
        lastMs: instance.lastMs,
      });
    else {
      span.firstMs = Math.min(span.firstMs, instance.firstMs);
      span.lastMs = Math.max(span.lastMs, instance.lastMs);
    }
  }
  return [...byName.values()];
}
