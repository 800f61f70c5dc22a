import { z } from 'zod';
import { MAX_INTERVALS_PER_TRIAL } from './bounds.ts';
import { countsOf } from './bucket.ts';
import { DEPLOY_PHASES } from './deploy-events.ts';
import { decodeHistogram, encodeHistogram, isDecodableHistogram } from './histogram.ts';
import type { Bucket, Phase, Recording } from './recording.ts';
import { ERROR_KINDS, type ErrorKind } from './sample.ts';

const count = z.number().int().nonnegative();
const ms = z.number().finite();
/** HdrHistogram's compressed base64 ("HISTF…"); decoded, and checked, when the file is read. */
const histogram = z
  .string()
  .regex(/^[A-Za-z0-9+/]+=*$/, 'expected a compressed HdrHistogram')
  .refine(isDecodableHistogram, 'expected a compressed HdrHistogram as this tool writes it');
/** Keyed by the target's words (a status, a release); decoding gives them no prototype (`countsOf`). */
const counts = z.record(z.string(), count);
/**
 * A scenario allows 100,000 intervals over warm-up, deploy timeout and cool-down; a trial runs a
 * little past them (the drain, a deploy's end). Twice that leaves room, and still bounds what a
 * hostile file can make a report draw.
 */
const MAX_READ_INTERVALS = 2 * MAX_INTERVALS_PER_TRIAL;

const encodedBucket = z.object({
  latency: histogram,
  requests: count,
  failures: count,
  statuses: counts,
  errors: z.object({
    refused: count,
    reset: count,
    timeout: count,
    other: count,
  } satisfies Record<ErrorKind, typeof count>),
  releases: counts,
  bytes: count,
  // Written before the open model dropped or retried anything: none.
  dropped: count.default(0),
  retried: count.default(0),
  maxMs: ms,
  success: z.object({ count, sumMs: ms, minMs: ms.nullable(), maxMs: ms }),
});

const phasesOf = <T extends z.ZodType>(item: T) =>
  z.object({ before: item, during: item, after: item });

const deployEvent = z.object({
  t: ms,
  phase: z.enum(DEPLOY_PHASES),
  detail: z.string().optional(),
});

const moment = ms.nullable();

/**
 * A recording as results.json stores it. The encoder's output type is this schema's, so that what
 * is written is what is read; the reader checks every field before any report uses it.
 */
export const encodedRecordingSchema = z.object({
  intervalMs: z.number().positive().finite(),
  durationMs: z.number().nonnegative().finite(),
  overall: encodedBucket,
  phases: phasesOf(encodedBucket),
  intervals: z.array(encodedBucket).max(MAX_READ_INTERVALS),
  longest: z
    .array(
      z.object({
        t: ms,
        latencyMs: ms,
        status: z.number().int(),
        error: z.enum(ERROR_KINDS as [ErrorKind, ...ErrorKind[]]).optional(),
        release: z.string().optional(),
        user: z.number().int(),
      }),
    )
    .max(1000),
  longestUserWait: z
    .object({ ms, user: z.number().int(), startMs: ms, resolved: z.boolean() })
    .optional(),
  disruption: z.object({
    ms,
    thresholdMs: ms,
    thresholdSource: z.enum(['scenario', 'baseline', 'default']),
    spans: z.array(z.tuple([ms, ms])),
  }),
  alternateLatency: z
    .object({
      kind: z.enum(['corrected', 'service']),
      expectedIntervalMs: ms.optional(),
      overall: histogram,
      phases: phasesOf(histogram),
    })
    .optional(),
  timeline: z.array(deployEvent),
  // Written before instances were recorded: none known.
  instances: z
    .array(
      z.object({
        id: z.string(),
        release: z.string().optional(),
        firstMs: ms,
        lastMs: ms,
        requests: count,
        perInterval: z.array(count).max(MAX_READ_INTERVALS),
      }),
    )
    .default([]),
  lifecycle: z
    .array(
      z.object({
        id: z.string(),
        release: z.string(),
        startedAt: moment,
        upAt: moment,
        routedAt: moment,
        unroutedAt: moment,
        stoppingAt: moment,
        stoppedAt: moment,
        exit: z.string().nullable(),
      }),
    )
    .optional(),
  followerTails: z.array(encodedBucket).max(MAX_READ_INTERVALS).optional(),
});

export type EncodedRecording = z.input<typeof encodedRecordingSchema>;
type EncodedBucket = z.input<typeof encodedBucket>;

function encodeBucket(bucket: Bucket): EncodedBucket {
  const { minMs, ...success } = bucket.success;
  return {
    ...bucket,
    latency: encodeHistogram(bucket.latency),
    // JSON has no Infinity: an empty bucket's minimum is null.
    success: { ...success, minMs: Number.isFinite(minMs) ? minMs : null },
  };
}

function decodeBucket(bucket: EncodedBucket, layout: 'packed' | 'dense'): Bucket {
  return {
    ...bucket,
    // Counts arrive as plain objects (from JSON, or from another thread): none keeps a prototype.
    statuses: countsOf(bucket.statuses),
    releases: countsOf(bucket.releases),
    dropped: bucket.dropped ?? 0,
    retried: bucket.retried ?? 0,
    latency: decodeHistogram(bucket.latency, layout),
    success: { ...bucket.success, minMs: bucket.success.minMs ?? Number.POSITIVE_INFINITY },
  };
}

const mapPhases = <A, B>(phases: Record<Phase, A>, f: (a: A) => B): Record<Phase, B> => ({
  before: f(phases.before),
  during: f(phases.during),
  after: f(phases.after),
});

export function encodeRecording(recording: Recording): EncodedRecording {
  const { alternateLatency, followerTails, ...rest } = recording;
  return {
    ...rest,
    ...(alternateLatency
      ? {
          alternateLatency: {
            ...alternateLatency,
            overall: encodeHistogram(alternateLatency.overall),
            phases: mapPhases(alternateLatency.phases, encodeHistogram),
          },
        }
      : {}),
    overall: encodeBucket(recording.overall),
    phases: mapPhases(recording.phases, encodeBucket),
    intervals: recording.intervals.map(encodeBucket),
    ...(followerTails ? { followerTails: followerTails.map(encodeBucket) } : {}),
  };
}

/**
 * A recording from results.json (checked against the schema first) or from a worker thread,
 * histograms decoded. It keeps the fields' order as written: a re-render is byte for byte the same.
 */
export function decodeRecording(encoded: EncodedRecording): Recording {
  const { alternateLatency, followerTails, ...rest } = encoded;
  const decode = (base64: string) => decodeHistogram(base64, 'dense');
  return {
    ...rest,
    // Written before instances were recorded: none known.
    instances: encoded.instances ?? [],
    ...(alternateLatency
      ? {
          alternateLatency: {
            ...alternateLatency,
            overall: decode(alternateLatency.overall),
            phases: mapPhases(alternateLatency.phases, decode),
          },
        }
      : {}),
    overall: decodeBucket(encoded.overall, 'dense'),
    phases: mapPhases(encoded.phases, (bucket) => decodeBucket(bucket, 'dense')),
    intervals: encoded.intervals.map((bucket) => decodeBucket(bucket, 'packed')),
    ...(followerTails
      ? { followerTails: followerTails.map((bucket) => decodeBucket(bucket, 'packed')) }
      : {}),
  };
}
