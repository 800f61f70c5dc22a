import { countsOf } from './counts.ts';
import { decodeHistogram, encodeHistogram } from './histogram.ts';
import { decodeParts, encodeParts } from './parts/registry.ts';
import type { Bucket, Phase, Recording } from './recording.ts';
import type { EncodedBucket, EncodedRecording } from './recording-schema.ts';

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
    errors: { ...bucket.errors, check: bucket.errors.check ?? 0 },
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
  const { alternateLatency, followerTails, unsplit, endpoints, ...rest } = recording;
  return {
    ...rest,
    ...encodeParts(recording),
    ...(endpoints
      ? {
          endpoints: endpoints.map(({ followerTails, unsplit, ...endpoint }) => ({
            ...endpoint,
            phases: mapPhases(endpoint.phases, encodeBucket),
            ...(followerTails ? { followerTails: followerTails.map(encodeBucket) } : {}),
            ...(unsplit ? { unsplit: unsplit.map(encodeBucket) } : {}),
          })),
        }
      : {}),
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
    ...(unsplit ? { unsplit: unsplit.map(encodeBucket) } : {}),
  };
}

/**
 * A recording from results.json (checked against the schema first) or from a worker thread,
 * histograms decoded. It keeps the fields' order as written: a re-render is byte for byte the same.
 */
export function decodeRecording(encoded: EncodedRecording): Recording {
  const { alternateLatency, followerTails, unsplit, endpoints, ...rest } = encoded;
  const decode = (base64: string) => decodeHistogram(base64, 'dense');
  const decodeSeries = (series: EncodedBucket[]) =>
    series.map((bucket) => decodeBucket(bucket, 'packed'));
  return {
    ...rest,
    ...(endpoints
      ? {
          endpoints: endpoints.map(({ followerTails, unsplit, ...endpoint }) => ({
            ...endpoint,
            phases: mapPhases(endpoint.phases, (bucket) => decodeBucket(bucket, 'dense')),
            ...(followerTails ? { followerTails: decodeSeries(followerTails) } : {}),
            ...(unsplit ? { unsplit: decodeSeries(unsplit) } : {}),
          })),
        }
      : {}),
    ...decodeParts(encoded),
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
    intervals: decodeSeries(encoded.intervals),
    ...(followerTails ? { followerTails: decodeSeries(followerTails) } : {}),
    ...(unsplit ? { unsplit: decodeSeries(unsplit) } : {}),
  };
}
