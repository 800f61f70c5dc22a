import { EXIT, ToolError } from '../errors/tool-error.ts';
import { sumBuckets } from '../results/bucket.ts';
import { totalMs, unionOfSpans } from '../results/coverage.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import { isDeployEnd } from '../results/deploy-events.ts';
import { createLatencyHistogram } from '../results/histogram.ts';
import { mergeParts } from '../results/parts/registry.ts';
import type {
  AlternateLatency,
  Bucket,
  EndpointRecording,
  Phase,
  Recording,
} from '../results/recording.ts';

/** Recordings that cannot be added: they were not made with the same settings (bad input). */
export class MergeError extends ToolError {
  override name = 'MergeError';
  readonly exitCode = EXIT.badInput;

  override explain(): string {
    return `bench merge: ${this.message}`;
  }
}

const PHASES: readonly Phase[] = ['before', 'during', 'after'];

/**
 * One trial measured by several generators at once — worker threads, or shards on other machines —
 * added into one recording as if a single generator had sent every request: histograms add exactly,
 * counts sum, the longest transactions and waits are the longest of all, disruption is the union of
 * the parts' spans. The deploy's timeline is the one from the part that saw the deploy end; parts
 * that only followed the schedule (`followerTails`) are split into 'during' and 'after' by it.
 * Associative: merging merges gives the same as merging all parts at once.
 */
export function mergeRecordings(parts: readonly Recording[]): Recording {
  const [first] = parts;
  if (!first) throw new MergeError('nothing to merge');
  const { intervalMs } = first;
  for (const part of parts) {
    if (part.intervalMs !== intervalMs) {
      throw new MergeError(
        `recordings with ${intervalMs} ms and ${part.intervalMs} ms intervals cannot be merged`,
      );
    }
  }
  const timeline = deployTimeline(parts);
  const endedAt = timeline.find(isDeployEnd)?.t;
  const resolved = endedAt === undefined ? parts : parts.map((p) => splitTails(p, endedAt));
  const waits = resolved.flatMap((p) => (p.longestUserWait ? [p.longestUserWait] : []));
  const spans = unionOfSpans(resolved.flatMap((p) => p.disruption.spans));
  const strictest = resolved.reduce((a, b) =>
    b.disruption.thresholdMs > a.disruption.thresholdMs ? b : a,
  );
  const tails = resolved.flatMap((p) => (p.followerTails ? [p.followerTails] : []));
  const unsplit = resolved.flatMap((p) => (p.unsplit ? [p.unsplit] : []));
  const alternate = mergeAlternates(resolved);
  return {
    intervalMs,
    durationMs: Math.max(...resolved.map((p) => p.durationMs)),
    overall: sumBuckets(resolved.map((p) => p.overall)),
    phases: {
      before: sumBuckets(resolved.map((p) => p.phases.before)),
      during: sumBuckets(resolved.map((p) => p.phases.during)),
      after: sumBuckets(resolved.map((p) => p.phases.after)),
    },
    intervals: sumSeries(
      resolved.map((p) => p.intervals),
      'packed',
    ),
    ...(tails.length > 0 ? { followerTails: sumSeries(tails, 'packed-fine') } : {}),
    ...(unsplit.length > 0 ? { unsplit: sumSeries(unsplit, 'packed-fine') } : {}),
    ...(waits.length > 0 ? { longestUserWait: waits.reduce((a, b) => (b.ms > a.ms ? b : a)) } : {}),
    disruption: {
      ms: totalMs(spans),
      thresholdMs: strictest.disruption.thresholdMs,
      thresholdSource: strictest.disruption.thresholdSource,
      spans,
    },
    ...(alternate ? { alternateLatency: alternate } : {}),
    timeline,
    ...lifecycleOf(resolved),
    ...(resolved.some((p) => p.connections !== undefined)
      ? { connections: resolved.reduce((sum, p) => sum + (p.connections ?? 0), 0) }
      : {}),
    ...mergeEndpoints(resolved),
    ...mergeParts(resolved),
  };
}

/** Each endpoint's parts added as the trial's are; every part must name the same endpoints. */
function mergeEndpoints(parts: readonly Recording[]): Pick<Recording, 'endpoints'> {
  const names = (p: Recording) => (p.endpoints ?? []).map((e) => e.name).join('\n');
  const first = parts[0] as Recording;
  if (!first.endpoints) {
    if (parts.some((p) => p.endpoints))
      throw new MergeError('recordings with and without per-endpoint figures cannot be merged');
    return {};
  }
  if (parts.some((p) => names(p) !== names(first)))
    throw new MergeError('recordings of different endpoints cannot be merged');
  return {
    endpoints: first.endpoints.map(({ name }, i) => {
      const endpoint = parts.map((p) => (p.endpoints ?? [])[i] as EndpointRecording);
      const waits = endpoint.flatMap((e) => (e.longestUserWait ? [e.longestUserWait] : []));
      const spans = unionOfSpans(endpoint.flatMap((e) => e.disruption.spans));
      const tails = endpoint.flatMap((e) => (e.followerTails ? [e.followerTails] : []));
      const unsplit = endpoint.flatMap((e) => (e.unsplit ? [e.unsplit] : []));
      return {
        name,
        phases: {
          before: sumBuckets(endpoint.map((e) => e.phases.before)),
          during: sumBuckets(endpoint.map((e) => e.phases.during)),
          after: sumBuckets(endpoint.map((e) => e.phases.after)),
        },
        ...(tails.length > 0 ? { followerTails: sumSeries(tails, 'packed-fine') } : {}),
        ...(unsplit.length > 0 ? { unsplit: sumSeries(unsplit, 'packed-fine') } : {}),
        ...(waits.length > 0
          ? { longestUserWait: waits.reduce((a, b) => (b.ms > a.ms ? b : a)) }
          : {}),
        disruption: { ms: totalMs(spans), spans },
      };
    }),
  };
}

/** Only the process that ran the platform knows its processes' lives: the part that has them. */
function lifecycleOf(parts: readonly Recording[]): Pick<Recording, 'lifecycle'> {
  const lifecycle = parts.find((p) => p.lifecycle)?.lifecycle;
  return lifecycle ? { lifecycle } : {};
}

/** The part that saw the deploy end knows the whole timeline; otherwise they all know the trigger. */
function deployTimeline(parts: readonly Recording[]): DeployEvent[] {
  const complete = parts.find((p) => p.timeline.some(isDeployEnd));
  return (complete ?? (parts[0] as Recording)).timeline;
}

/**
 * A follower's requests after the trigger, split by the deploy's end: those that started in an
 * interval wholly after it are 'after', the rest stay 'during' — so the requests of the interval in
 * which the deploy ended count as during it (at most one interval's worth; docs/scale.md).
 */
function splitTails(part: Recording, endedAt: number): Recording {
  const { followerTails, endpoints, ...rest } = part;
  if (!followerTails) return part;
  const split = (tails: readonly Bucket[], phases: Record<Phase, Bucket>) => {
    const during: Bucket[] = [];
    const after: Bucket[] = [];
    for (const [i, bucket] of tails.entries()) {
      (i * part.intervalMs >= endedAt ? after : during).push(bucket);
    }
    return {
      before: phases.before,
      during: sumBuckets(during),
      after: sumBuckets([phases.after, ...after]),
    };
  };
  return {
    ...rest,
    phases: split(followerTails, part.phases),
    // Each endpoint's requests are split as the trial's are.
    ...(endpoints
      ? {
          endpoints: endpoints.map(({ followerTails: tails, ...endpoint }) => ({
            ...endpoint,
            phases: tails ? split(tails, endpoint.phases) : endpoint.phases,
          })),
        }
      : {}),
  };
}

function sumSeries(series: readonly Bucket[][], layout: 'packed' | 'packed-fine'): Bucket[] {
  const length = Math.max(...series.map((s) => s.length));
  return Array.from({ length }, (_, i) =>
    sumBuckets(
      series.flatMap((s) => (s[i] ? [s[i]] : [])),
      layout,
    ),
  );
}

function mergeAlternates(parts: readonly Recording[]): AlternateLatency | undefined {
  const alternates = parts.flatMap((p) => (p.alternateLatency ? [p.alternateLatency] : []));
  const [first] = alternates;
  if (!first || alternates.length < parts.length) return undefined;
  if (alternates.some((a) => a.kind !== first.kind)) {
    throw new MergeError('recordings of a closed and an open model cannot be merged');
  }
  const sum = (pick: (a: AlternateLatency) => AlternateLatency['overall']) => {
    const histogram = createLatencyHistogram();
    for (const alternate of alternates) histogram.add(pick(alternate));
    return histogram;
  };
  const expected = alternates.find((a) => a.expectedIntervalMs !== undefined)?.expectedIntervalMs;
  return {
    kind: first.kind,
    ...(expected !== undefined ? { expectedIntervalMs: expected } : {}),
    overall: sum((a) => a.overall),
    phases: Object.fromEntries(
      PHASES.map((phase) => [phase, sum((a) => a.phases[phase])]),
    ) as Record<Phase, AlternateLatency['overall']>,
  };
}
