import type { Bucket, InstanceLifecycle, Recording } from '../../results/recording.ts';
import { formatMs } from '../../text/format.ts';
import { describeFelt, feltIn } from './felt.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/** A stretch with no instance to answer. */
interface Gap {
  fromMs: number;
  toMs: number;
  /** What the platform's records show at its ends ("web.1@v1 was taken out of rotation"). */
  ends?: string;
  source: 'platform' | 'traffic';
}

/**
 * Nothing up: for a stretch at least the slow threshold long, no instance could answer. With the
 * embedded platform's records: no process was routed to (from its routing to the first of being
 * unrouted, told to stop, or seen to exit). Otherwise from the traffic: consecutive intervals in a
 * disruption in which no instance answered anything (by the end of the responses, when the target
 * names its instances or releases) or, without such names, no request that started got an answer
 * of the target's own (any response but 502, 503 and 504, a proxy's when nothing behind it answers).
 */
export function nothingUp(trial: TrialEvidence): Finding | undefined {
  const { recording, thresholdMs, between } = trial;
  const gap = recording.lifecycle
    ? longestUnrouted(recording.lifecycle, recording.durationMs)
    : longestUnanswered(recording);
  if (!gap || gap.toMs - gap.fromMs < thresholdMs) return undefined;
  const lengthMs = gap.toMs - gap.fromMs;
  const felt = feltIn(recording, gap.fromMs, gap.toMs);
  const about = gap.source === 'traffic' ? 'about ' : '';
  return {
    id: 'nothing-up',
    kind: 'fault',
    title: `nothing was up for ${about}${formatMs(lengthMs)}`,
    seen: `No instance ${gap.source === 'platform' ? 'was routed to' : 'answered'} ${between(gap.fromMs, gap.toMs)}${gap.ends ? ` (${gap.ends})` : ''}. ${describeFelt(felt)}`,
    cause:
      'The old release was stopped before the new one was up: a stop-then-start restart, or a rollout that removed old instances before new ones were ready.',
    change:
      'Boot the new release first and switch traffic once it answers: preboot, a surge (maxUnavailable: 0), or a rolling update gated on a readiness check.',
    docs: docsOf('nothing-up'),
    fromMs: gap.fromMs,
    toMs: gap.toMs,
    evidence: {
      source: gap.source,
      lengthMs,
      requests: felt.requests,
      failures: felt.failures,
      failedAs: felt.failedAs || null,
      longestMs: felt.longestMs,
    },
  };
}

/** The longest stretch of the trial in which no process of the platform was routed to. */
function longestUnrouted(
  lifecycle: readonly InstanceLifecycle[],
  durationMs: number,
): Gap | undefined {
  const routed = lifecycle
    .flatMap((life) => (life.routedAt === null ? [] : [routedStretch(life, life.routedAt)]))
    .sort((a, b) => a.fromMs - b.fromMs);
  let longest: Gap | undefined;
  const keep = (gap: Gap) => {
    if (
      gap.toMs > gap.fromMs &&
      (!longest || gap.toMs - gap.fromMs > longest.toMs - longest.fromMs)
    )
      longest = gap;
  };
  // Walk the routed stretches by their start, keeping how far their union reaches, and by whom.
  let reach = 0;
  let reachedBy = 'from the start';
  for (const stretch of routed) {
    keep({
      fromMs: reach,
      toMs: stretch.fromMs,
      ends: `${reachedBy}; ${stretch.id} was routed to only then`,
      source: 'platform',
    });
    if (stretch.toMs > reach) {
      reach = stretch.toMs;
      reachedBy = stretch.ended;
    }
  }
  keep({
    fromMs: reach,
    toMs: durationMs,
    ends: `${reachedBy}; none was routed to after it`,
    source: 'platform',
  });
  return longest;
}

/** From its routing to the first of: taken out of rotation, told to stop, seen to exit. */
function routedStretch(life: InstanceLifecycle, routedAt: number) {
  const ends = [
    { t: life.unroutedAt, words: `${life.id} was taken out of rotation` },
    { t: life.stoppingAt, words: `${life.id} was told to stop` },
    { t: life.stoppedAt, words: `${life.id} exited` },
  ].flatMap(({ t, words }) => (t === null ? [] : [{ t, words }]));
  const first = ends.sort((a, b) => a.t - b.t)[0];
  return {
    id: life.id,
    fromMs: routedAt,
    toMs: first?.t ?? Number.POSITIVE_INFINITY,
    ended: first?.words ?? `${life.id} was routed to`,
  };
}

/**
 * The longest run of intervals inside one disruption span in which nothing answered, cut to the
 * span: from the traffic alone, to an interval's precision.
 */
function longestUnanswered(recording: Recording): Gap | undefined {
  const { intervalMs, instances, intervals } = recording;
  const answered = (i: number) =>
    instances.length > 0
      ? instances.some((lane) => (lane.perInterval[i] ?? 0) > 0)
      : answeredAny(intervals[i]);
  let longest: Gap | undefined;
  for (const [spanFrom, spanTo] of recording.disruption.spans) {
    let runFrom: number | undefined;
    const first = Math.floor(spanFrom / intervalMs);
    const last = Math.ceil(spanTo / intervalMs);
    for (let i = first; i <= last; i++) {
      const silent = i < last && !answered(i);
      if (silent && runFrom === undefined) runFrom = Math.max(spanFrom, i * intervalMs);
      if (!silent && runFrom !== undefined) {
        const toMs = Math.min(spanTo, i * intervalMs);
        if (!longest || toMs - runFrom > longest.toMs - longest.fromMs)
          longest = { fromMs: runFrom, toMs, source: 'traffic' };
        runFrom = undefined;
      }
    }
  }
  return longest;
}

/** No response at all ("0"), or a proxy's own answer when nothing behind it answers. */
const NOT_THE_TARGETS = new Set(['0', '502', '503', '504']);

/** Some request that started in the bucket got a response from the target itself. */
function answeredAny(bucket: Bucket | undefined): boolean {
  if (!bucket) return false;
  return Object.entries(bucket.statuses).some(
    ([status, count]) => count > 0 && !NOT_THE_TARGETS.has(status),
  );
}
