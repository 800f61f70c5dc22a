import { showControls } from '../../text/escape.ts';
import { formatMs } from '../../text/format.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/** A clean switch mixes the releases in the one interval it falls in: it takes more than that. */
const MIN_MIXED_INTERVALS = 2;

/**
 * Mixed releases: in at least two intervals, and for at least the slow threshold in all, requests
 * that started in the same interval were answered by two releases or more (from the release each
 * response named) — so one user's requests could be served by either. A clean switch mixes them in
 * the one interval it falls in, and is not this. Information, not a fault: it is how a rolling or
 * canary deploy works, and what asset and schema compatibility must survive.
 */
export function mixedReleases(trial: TrialEvidence): Finding | undefined {
  const { recording, between, thresholdMs } = trial;
  const { intervalMs } = recording;
  const mixed: number[] = [];
  const releases = new Set<string>();
  for (const [i, bucket] of recording.intervals.entries()) {
    const answering = Object.keys(bucket.releases).filter((r) => (bucket.releases[r] ?? 0) > 0);
    if (answering.length < 2) continue;
    mixed.push(i);
    for (const release of answering) releases.add(release);
  }
  const mixedMs = mixed.length * intervalMs;
  const [first] = mixed;
  const last = mixed.at(-1);
  if (first === undefined || last === undefined) return undefined;
  if (mixed.length < MIN_MIXED_INTERVALS || mixedMs < thresholdMs) return undefined;
  const fromMs = first * intervalMs;
  const toMs = (last + 1) * intervalMs;
  // Release names come from the target's headers (or its bodies, with a release pattern).
  const names = [...releases]
    .sort()
    .map((release) => showControls(release))
    .join(' and ');
  return {
    id: 'mixed-releases',
    kind: 'info',
    title: `releases ${names} both answered for ${formatMs(mixedMs)}`,
    seen: `Requests sent in the same ${formatMs(intervalMs)} were answered by releases ${names} in ${mixed.length} intervals (${formatMs(mixedMs)}), ${between(fromMs, toMs)}.`,
    cause:
      'Old and new instances were in rotation together, as in a rolling, canary or draining blue-green deploy: one user’s requests may be served by either release.',
    change:
      'Nothing, if each release can serve the other’s users: keep assets and the database schema compatible both ways for that time (expand, then contract).',
    docs: docsOf('mixed-releases'),
    fromMs,
    toMs,
    evidence: { releases: names, mixedMs, intervals: mixed.length },
  };
}
