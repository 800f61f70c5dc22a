import { countsOf } from '../counts.ts';
import { Coverage, unionOfSpans } from '../coverage.ts';
import { type ConnectionKind, ERROR_KINDS, type ErrorKind, isFailure } from '../sample.ts';
import type { RecordingPart } from './part.ts';

/** The requests sent on one kind of connection, and how they fared. */
export interface ConnectionKindFigures {
  requests: number;
  /** Of `requests`, those the probe sent (`load.probe`: new connections only). */
  probes: number;
  failures: number;
  /** Failures that got no response, or failed a check, by kind. */
  errors: Record<ErrorKind, number>;
  /** Failures that were answered with a 5xx, by status. */
  statuses5xx: Record<string, number>;
  /** Requests resent once after a reset (counted by the kind of their first try) ... */
  retried: number;
  /** ... and of those, the ones the resend answered (the others failed, and count as failures). */
  retriedAnswered: number;
  /** The longest request, failed ones included. */
  longestMs: number;
  /** When the first failure started, on the trial's clock; null when none failed. */
  firstFailureMs: number | null;
  /** Stretches in which a request of this kind failed or was slower than the slow threshold ... */
  disruptionSpans: [number, number][];
  /** ... those in which one failed ... */
  failureSpans: [number, number][];
  /** ... those in which one was reset ... */
  resetSpans: [number, number][];
  /** ... and those in which one was refused. */
  refusedSpans: [number, number][];
  /** Failures on reused connections by the instance that last answered on the connection. */
  failedBy: Record<string, number>;
}

export interface ConnectionKindsFields {
  /**
   * Requests by the kind of connection they were sent on: a new one, or one kept alive. Absent
   * when the load could tell neither (the open model's pool), or in recordings made before.
   */
  byConnection?: Partial<Record<ConnectionKind, ConnectionKindFigures>>;
}

/** Distinct instances that failures are put down to, at most. */
const MAX_FAILED_BY = 200;

const KINDS: readonly ConnectionKind[] = ['new', 'reused'];

type KindCounts = Omit<
  ConnectionKindFigures,
  'disruptionSpans' | 'failureSpans' | 'resetSpans' | 'refusedSpans'
>;

/** No request yet: what a kind's recorder and a merge start from. */
function noRequests(): KindCounts {
  return {
    requests: 0,
    probes: 0,
    failures: 0,
    errors: Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as Record<ErrorKind, number>,
    // Keyed by the target's words (a status, an instance): no prototype to collide with.
    statuses5xx: countsOf(),
    retried: 0,
    retriedAnswered: 0,
    longestMs: 0,
    firstFailureMs: null,
    failedBy: countsOf(),
  };
}

class KindRecorder {
  readonly figures = noRequests();
  readonly disrupted = new Coverage();
  readonly failed = new Coverage();
  readonly reset = new Coverage();
  readonly refused = new Coverage();
}

/**
 * The figures of each kind of connection apart — new and kept-alive connections break for
 * different reasons (a process gone from the port refuses new ones; one that exits without draining
 * resets the kept-alive ones), and one figure for both hides which.
 */
export const connectionKindsPart: RecordingPart<ConnectionKindsFields> = {
  name: 'byConnection',
  takesProbes: true,
  recorder({ slowThresholdMs }) {
    const kinds = new Map<ConnectionKind, KindRecorder>();
    return {
      record(sample, { end }) {
        const kind = sample.connection;
        if (kind === undefined) return;
        let recorder = kinds.get(kind);
        if (!recorder) {
          recorder = new KindRecorder();
          kinds.set(kind, recorder);
        }
        const { figures } = recorder;
        figures.requests++;
        if (sample.probe) figures.probes++;
        const failed = isFailure(sample);
        if (sample.retried) {
          figures.retried++;
          if (!failed) figures.retriedAnswered++;
        }
        figures.longestMs = Math.max(figures.longestMs, sample.latencyMs);
        if (failed) {
          figures.failures++;
          if (sample.error) figures.errors[sample.error]++;
          else figures.statuses5xx[sample.status] = (figures.statuses5xx[sample.status] ?? 0) + 1;
          figures.firstFailureMs = Math.min(figures.firstFailureMs ?? sample.t, sample.t);
          const by = sample.lastAnsweredBy;
          if (
            by !== undefined &&
            (by in figures.failedBy || Object.keys(figures.failedBy).length < MAX_FAILED_BY)
          )
            figures.failedBy[by] = (figures.failedBy[by] ?? 0) + 1;
        }
        const threshold = slowThresholdMs();
        if (failed) recorder.failed.mark(sample.t, end);
        if (sample.error === 'reset') recorder.reset.mark(sample.t, end);
        else if (sample.error === 'refused') recorder.refused.mark(sample.t, end);
        if (failed || (threshold !== undefined && sample.latencyMs > threshold))
          recorder.disrupted.mark(sample.t, end);
      },
      finish() {
        if (kinds.size === 0) return {};
        const byConnection: ConnectionKindsFields['byConnection'] = {};
        for (const kind of KINDS) {
          const recorder = kinds.get(kind);
          if (recorder)
            byConnection[kind] = {
              ...recorder.figures,
              disruptionSpans: recorder.disrupted.spans(),
              failureSpans: recorder.failed.spans(),
              resetSpans: recorder.reset.spans(),
              refusedSpans: recorder.refused.spans(),
            };
        }
        return { byConnection };
      },
    };
  },
  merge(parts) {
    const present = parts.flatMap((p) => (p.byConnection ? [p.byConnection] : []));
    if (present.length === 0) return {};
    const byConnection: ConnectionKindsFields['byConnection'] = {};
    for (const kind of KINDS) {
      const figures = present.flatMap((p) => (p[kind] ? [p[kind]] : []));
      if (figures.length > 0) byConnection[kind] = mergeFigures(figures);
    }
    return { byConnection };
  },
  encode: ({ byConnection }) => (byConnection ? { byConnection } : {}),
  decode: (encoded: ConnectionKindsFields) => {
    const { byConnection } = encoded;
    if (!byConnection) return {};
    const decoded: ConnectionKindsFields['byConnection'] = {};
    for (const kind of KINDS) {
      const figures = byConnection[kind];
      // Keyed by the target's words: read back without a prototype, as they were recorded.
      if (figures)
        decoded[kind] = {
          ...figures,
          statuses5xx: countsOf(figures.statuses5xx),
          failedBy: countsOf(figures.failedBy),
        };
    }
    return { byConnection: decoded };
  },
  schema: (z) => {
    const count = z.number().int().nonnegative();
    const ms = z.number().finite();
    const figures = z.object({
      requests: count,
      // Written since the probe; absent (none sent) before.
      probes: count.default(0),
      failures: count,
      errors: z.object(Object.fromEntries(ERROR_KINDS.map((kind) => [kind, count]))),
      statuses5xx: z.record(z.string(), count),
      retried: count,
      retriedAnswered: count,
      longestMs: ms,
      firstFailureMs: ms.nullable(),
      disruptionSpans: z.array(z.tuple([ms, ms])).max(1_000_000),
      failureSpans: z.array(z.tuple([ms, ms])).max(1_000_000),
      resetSpans: z.array(z.tuple([ms, ms])).max(1_000_000),
      refusedSpans: z
        .array(z.tuple([ms, ms]))
        .max(1_000_000)
        .default([]),
      failedBy: z.record(z.string(), count),
    });
    return {
      byConnection: z.object({ new: figures.optional(), reused: figures.optional() }).optional(),
    };
  },
};

function mergeFigures(parts: readonly ConnectionKindFigures[]): ConnectionKindFigures {
  const merged: ConnectionKindFigures = {
    ...noRequests(),
    disruptionSpans: unionOfSpans(parts.flatMap((p) => p.disruptionSpans)),
    failureSpans: unionOfSpans(parts.flatMap((p) => p.failureSpans)),
    resetSpans: unionOfSpans(parts.flatMap((p) => p.resetSpans)),
    refusedSpans: unionOfSpans(parts.flatMap((p) => p.refusedSpans)),
  };
  for (const part of parts) {
    merged.requests += part.requests;
    merged.probes += part.probes;
    merged.failures += part.failures;
    for (const kind of ERROR_KINDS) merged.errors[kind] += part.errors[kind];
    for (const [status, n] of Object.entries(part.statuses5xx))
      merged.statuses5xx[status] = (merged.statuses5xx[status] ?? 0) + n;
    merged.retried += part.retried;
    merged.retriedAnswered += part.retriedAnswered;
    merged.longestMs = Math.max(merged.longestMs, part.longestMs);
    if (part.firstFailureMs !== null)
      merged.firstFailureMs = Math.min(
        merged.firstFailureMs ?? part.firstFailureMs,
        part.firstFailureMs,
      );
    for (const [by, n] of Object.entries(part.failedBy))
      merged.failedBy[by] = (merged.failedBy[by] ?? 0) + n;
  }
  return merged;
}
