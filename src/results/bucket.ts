import { countsOf } from './counts.ts';
import { createLatencyHistogram, type HistogramLayout, msToMicros } from './histogram.ts';
import type { Bucket } from './recording.ts';
import { ERROR_KINDS, isFailure, type Sample } from './sample.ts';

/**
 * Distinct releases a bucket counts by name; the rest together, under one name. A target that names
 * a new release in every response must not grow results.json with every request.
 */
export const MAX_RELEASES = 100;
export const OTHER_RELEASES = '(other releases)';

function countRelease(counts: Record<string, number>, release: string, count: number): void {
  const name =
    release in counts || (!(OTHER_RELEASES in counts) && Object.keys(counts).length < MAX_RELEASES)
      ? release
      : OTHER_RELEASES;
  counts[name] = (counts[name] ?? 0) + count;
}

export function emptyBucket(layout: HistogramLayout = 'dense'): Bucket {
  return {
    latency: createLatencyHistogram(layout),
    requests: 0,
    failures: 0,
    statuses: countsOf(),
    errors: Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as Bucket['errors'],
    releases: countsOf(),
    bytes: 0,
    dropped: 0,
    retried: 0,
    maxMs: 0,
    success: { count: 0, sumMs: 0, minMs: Number.POSITIVE_INFINITY, maxMs: 0 },
  };
}

export function addSample(bucket: Bucket, sample: Sample): void {
  bucket.latency.recordValue(msToMicros(sample.latencyMs));
  bucket.requests++;
  bucket.statuses[sample.status] = (bucket.statuses[sample.status] ?? 0) + 1;
  if (sample.error) bucket.errors[sample.error]++;
  if (sample.release !== undefined) countRelease(bucket.releases, sample.release, 1);
  bucket.bytes += sample.bytes;
  if (sample.retried) bucket.retried++;
  bucket.maxMs = Math.max(bucket.maxMs, sample.latencyMs);
  if (isFailure(sample)) {
    bucket.failures++;
    return;
  }
  const { success } = bucket;
  success.count++;
  success.sumMs += sample.latencyMs;
  success.minMs = Math.min(success.minMs, sample.latencyMs);
  success.maxMs = Math.max(success.maxMs, sample.latencyMs);
}

/** Adds `from` into `into`: histograms add exactly, so trials can be merged for a variant's totals. */
export function mergeBucket(into: Bucket, from: Bucket): void {
  into.latency.add(from.latency);
  into.requests += from.requests;
  into.failures += from.failures;
  for (const [status, count] of Object.entries(from.statuses)) {
    into.statuses[status] = (into.statuses[status] ?? 0) + count;
  }
  for (const kind of ERROR_KINDS) into.errors[kind] += from.errors[kind];
  for (const [release, count] of Object.entries(from.releases)) {
    countRelease(into.releases, release, count);
  }
  into.bytes += from.bytes;
  into.dropped += from.dropped ?? 0;
  into.retried += from.retried ?? 0;
  into.maxMs = Math.max(into.maxMs, from.maxMs);
  into.success.count += from.success.count;
  into.success.sumMs += from.success.sumMs;
  into.success.minMs = Math.min(into.success.minMs, from.success.minMs);
  into.success.maxMs = Math.max(into.success.maxMs, from.success.maxMs);
}

/** A new bucket holding all of `buckets`. */
export function sumBuckets(buckets: readonly Bucket[], layout: HistogramLayout = 'dense'): Bucket {
  const sum = emptyBucket(layout);
  for (const bucket of buckets) mergeBucket(sum, bucket);
  return sum;
}
