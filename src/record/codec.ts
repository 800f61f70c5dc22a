import { countsOf } from './bucket.ts';
import { decodeHistogram, encodeHistogram } from './histogram.ts';
import type { AlternateLatency, Bucket, Phase, Recording } from './recording.ts';

/** A bucket as stored in results.json: the histogram as HdrHistogram compressed base64. */
export type EncodedBucket = Omit<Bucket, 'latency' | 'success'> & {
  latency: string;
  success: { count: number; sumMs: number; minMs: number | null; maxMs: number };
};

type EncodedAlternate = Omit<AlternateLatency, 'overall' | 'phases'> & {
  overall: string;
  phases: Record<Phase, string>;
};

export type EncodedRecording = Omit<
  Recording,
  'overall' | 'phases' | 'intervals' | 'alternateLatency' | 'followerTails'
> & {
  overall: EncodedBucket;
  phases: Record<Phase, EncodedBucket>;
  intervals: EncodedBucket[];
  followerTails?: EncodedBucket[];
  alternateLatency?: EncodedAlternate;
};

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
    statuses: countsOf(bucket.statuses),
    releases: countsOf(bucket.releases),
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
