import { decodeHistogram, encodeHistogram } from './histogram.ts';
import type { Bucket, Phase, Recording } from './recording.ts';

/** A bucket as stored in results.json: the histogram as HdrHistogram compressed base64. */
export type EncodedBucket = Omit<Bucket, 'latency' | 'success'> & {
  latency: string;
  success: { count: number; sumMs: number; minMs: number | null; maxMs: number };
};

export type EncodedRecording = Omit<Recording, 'overall' | 'phases' | 'intervals'> & {
  overall: EncodedBucket;
  phases: Record<Phase, EncodedBucket>;
  intervals: EncodedBucket[];
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
    latency: decodeHistogram(bucket.latency, layout),
    success: { ...bucket.success, minMs: bucket.success.minMs ?? Number.POSITIVE_INFINITY },
  };
}

export function encodeRecording(recording: Recording): EncodedRecording {
  return {
    ...recording,
    overall: encodeBucket(recording.overall),
    phases: {
      before: encodeBucket(recording.phases.before),
      during: encodeBucket(recording.phases.during),
      after: encodeBucket(recording.phases.after),
    },
    intervals: recording.intervals.map(encodeBucket),
  };
}

export function decodeRecording(encoded: EncodedRecording): Recording {
  return {
    ...encoded,
    overall: decodeBucket(encoded.overall, 'dense'),
    phases: {
      before: decodeBucket(encoded.phases.before, 'dense'),
      during: decodeBucket(encoded.phases.during, 'dense'),
      after: decodeBucket(encoded.phases.after, 'dense'),
    },
    intervals: encoded.intervals.map((bucket) => decodeBucket(bucket, 'packed')),
  };
}
