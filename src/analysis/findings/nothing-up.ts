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
  /** A request was refused, or a proxy answered in place of an instance, inside it: nothing could answer, however short it was. */
  failedInside?: boolean;
}

/**
 * Nothing up: for a stretch at least the slow threshold long, no instance could answer. With the
 * embedded platform's records: no process was routed to (from its routing to the first of being
 * unrouted, told to stop, or seen to exit). Otherwise from the traffic (`longestUnanswered`).
 */
export function nothingUp(trial: TrialEvidence): Finding | undefined {
  const { recording, thresholdMs, between } = trial;
  const candidates = recording.lifecycle
    ? [longestUnrouted(recording.lifecycle, recording.durationMs)]
    : [...holesBetweenInstances(recording), longestUnanswered(recording)];
  const gap = candidates
    .filter((g): g is Gap => g !== undefined)
    .filter((g) => g.toMs - g.fromMs >= thresholdMs || g.failedInside)
    .reduce<Gap | undefined>(longer, undefined);
  if (!gap) return undefined;
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

const longer = (a: Gap | undefined, b: Gap | undefined) =>
  !a || (b && b.toMs - b.fromMs > a.toMs - a.fromMs) ? b : a;

/**
 * From the instances the target names, exactly: the stretches between the last answer of one set
 * of instances and the first of the next, when no instance answered in between (the union of
 * their spans, first to last answer, has a hole) and a request sent inside it was refused, answered
 * by a proxy in place of an instance, or kept waiting to its end. A hole shorter than an interval is what the intervals cannot see;
 * one in which a request was refused or answered by a proxy (502, 503, 504 naming no instance)
 * counts however short: nothing could answer it.
 */
function holesBetweenInstances(recording: Recording): Gap[] {
  const lanes = [...recording.instances].sort((a, b) => a.firstMs - b.firstMs);
  const nothingThere = [
    ...Object.values(recording.byConnection ?? {}).flatMap((kind) => kind.refusedSpans),
    ...(recording.gatewayAnswers?.spans ?? []),
  ];
  const holes: Gap[] = [];
  let reach = lanes[0]?.lastMs ?? 0;
  let reachedBy = lanes[0]?.id ?? '';
  for (const lane of lanes.slice(1)) {
    const gap: Gap = {
      fromMs: reach,
      toMs: lane.firstMs,
      ends: `${reachedBy} answered last at its start; ${lane.id} first answered at its end`,
      source: 'traffic',
    };
    const inside = (t: number) => t > gap.fromMs && t < gap.toMs;
    gap.failedInside = nothingThere.some(([from]) => inside(from));
    // Or kept waiting by a request sent inside it until its end: one who waits on a request sent
    // before it (one slow answer, nothing else sent meanwhile) is a slow target, not this.
    const waitedThrough = recording.longest.some(
      (request) => inside(request.t) && request.t + request.latencyMs >= gap.toMs,
    );
    if (gap.failedInside || waitedThrough) holes.push(gap);
    if (lane.lastMs > reach) {
      reach = lane.lastMs;
      reachedBy = lane.id;
    }
  }
  return holes;
}

/**
 * From the traffic alone: the longest run of intervals in which no instance answered — no request
 * sent in them got an answer of the target's own, and no instance the target names answered
 * anything (by the end of its responses) — while users were sent away or kept waiting (requests
 * failed in them, or they lie in a disruption). It counts when requests failed in it, or when the
 * instances changed across it (one last answered before it, another first after it: a stop, then a
 * start); a run of users waiting on the same instance is a slow target, not this. Its ends are then
 * taken from the disruption that holds it, at most an interval beyond it.
 */
function longestUnanswered(recording: Recording): Gap | undefined {
  const { intervalMs, instances, intervals, disruption } = recording;
  const named = (i: number) => instances.some((lane) => (lane.perInterval[i] ?? 0) > 0);
  const disrupted = (from: number, to: number) =>
    disruption.spans.find(([a, b]) => a < to && b > from);
  const changedAcross = (from: number, to: number) =>
    instances.some((lane) => lane.lastMs <= from) && instances.some((lane) => lane.firstMs >= to);
  let longest: Gap | undefined;
  let run: { first: number; last: number; failed: boolean } | undefined;
  const close = () => {
    if (!run) return;
    const fromMs = run.first * intervalMs;
    const toMs = (run.last + 1) * intervalMs;
    const counts = run.failed || changedAcross(fromMs, toMs);
    const span = disrupted(fromMs, toMs);
    run = undefined;
    if (!counts) return;
    const gap: Gap = span
      ? {
          fromMs: Math.max(span[0], fromMs - intervalMs),
          toMs: Math.min(span[1], toMs + intervalMs),
          source: 'traffic',
        }
      : { fromMs, toMs, source: 'traffic' };
    if (!longest || gap.toMs - gap.fromMs > longest.toMs - longest.fromMs) longest = gap;
  };
  for (const [i, bucket] of intervals.entries()) {
    const from = i * intervalMs;
    if (answeredAny(bucket) || named(i)) close();
    else if (bucket.requests > 0 || disrupted(from, from + intervalMs))
      run = {
        first: run?.first ?? i,
        last: i,
        failed: (run?.failed ?? false) || bucket.requests > 0,
      };
    else close();
  }
  close();
  return longest;
}

/** No response at all ("0"), or a proxy's own answer when nothing behind it answers. */
const NOT_THE_TARGETS = new Set(['0', '502', '503', '504']);

/** Some request that started in the bucket got a response from the target itself. */
function answeredAny(bucket: Bucket): boolean {
  return Object.entries(bucket.statuses).some(
    ([status, count]) => count > 0 && !NOT_THE_TARGETS.has(status),
  );
}
