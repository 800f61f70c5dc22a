import { formatMs } from '../../text/format.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/**
 * Mixed releases: two releases both answered over a stretch — from the later of their first answers
 * to the earlier of their last — so that one user's requests could be served by either. A clean
 * switch (the old release's last answer before the new one's first), or an overlap shorter than the
 * slow threshold (requests in flight on the old one, drained), is not mixed. Information, not
 * a fault: it is how a rolling or canary deploy works, and what asset and schema compatibility
 * must survive.
 */
export function mixedReleases(trial: TrialEvidence): Finding | undefined {
  const { recording, between } = trial;
  const spans = new Map<string, { firstMs: number; lastMs: number }>();
  for (const { release, firstMs, lastMs } of recording.instances) {
    if (release === undefined) continue;
    const span = spans.get(release);
    if (!span) spans.set(release, { firstMs, lastMs });
    else {
      span.firstMs = Math.min(span.firstMs, firstMs);
      span.lastMs = Math.max(span.lastMs, lastMs);
    }
  }
  let widest: { names: string; fromMs: number; toMs: number } | undefined;
  const releases = [...spans.entries()];
  for (const [i, [a, spanA]] of releases.entries()) {
    for (const [b, spanB] of releases.slice(i + 1)) {
      const fromMs = Math.max(spanA.firstMs, spanB.firstMs);
      const toMs = Math.min(spanA.lastMs, spanB.lastMs);
      if (toMs > fromMs && (!widest || toMs - fromMs > widest.toMs - widest.fromMs))
        widest = { names: `${a} and ${b}`, fromMs, toMs };
    }
  }
  // Shorter than a moment users would notice: a request or two in flight on the old one, drained.
  if (!widest || widest.toMs - widest.fromMs < trial.thresholdMs) return undefined;
  const { names, fromMs, toMs } = widest;
  return {
    id: 'mixed-releases',
    kind: 'info',
    title: `releases ${names} both answered for ${formatMs(toMs - fromMs)}`,
    seen: `Releases ${names} both answered ${between(fromMs, toMs)}: from the later one’s first answer to the earlier one’s last.`,
    cause:
      'Old and new instances were in rotation together, as in a rolling, canary or blue-green switch that drains: one user’s requests may be served by either release.',
    change:
      'Nothing, if each release can serve the other’s users: keep assets and the database schema compatible both ways for that time (expand, then contract).',
    docs: docsOf('mixed-releases'),
    fromMs,
    toMs,
    evidence: { releases: names, mixedMs: toMs - fromMs },
  };
}
