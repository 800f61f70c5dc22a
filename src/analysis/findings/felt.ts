import { sumBuckets } from '../../results/bucket.ts';
import type { Bucket, Recording } from '../../results/recording.ts';
import { ERROR_KINDS } from '../../results/sample.ts';
import { formatMs } from '../../text/format.ts';

/** What users felt in a stretch of a trial, from the intervals it spans. */
export interface Felt {
  /** Requests that started in the intervals the stretch spans. */
  requests: number;
  failures: number;
  /** The failures by what they were: "503 ×3, refused ×2"; empty when none failed. */
  failedAs: string;
  /** The longest request that overlapped the stretch (of those the recording kept). */
  longestMs: number;
}

/** The requests of the intervals that [fromMs, toMs] overlaps, and the longest one that overlapped it. */
export function feltIn(recording: Recording, fromMs: number, toMs: number): Felt {
  const { intervalMs } = recording;
  const first = Math.max(0, Math.floor(fromMs / intervalMs));
  const last = Math.min(recording.intervals.length - 1, Math.ceil(toMs / intervalMs) - 1);
  const spanned = sumBuckets(recording.intervals.slice(first, Math.max(first, last + 1)));
  const overlapping = recording.longest.filter((l) => l.t < toMs && l.t + l.latencyMs > fromMs);
  return {
    requests: spanned.requests,
    failures: spanned.failures,
    failedAs: failedAs(spanned),
    longestMs: Math.max(0, ...overlapping.map((l) => l.latencyMs)),
  };
}

/** How a bucket's requests failed: each 5xx status, then each kind of error, with its count. */
export function failedAs(bucket: Bucket): string {
  const statuses = Object.entries(bucket.statuses)
    .filter(([status]) => Number(status) >= 500)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status} ×${count}`);
  const errors = ERROR_KINDS.filter((kind) => bucket.errors[kind] > 0).map(
    (kind) => `${kind} ×${bucket.errors[kind]}`,
  );
  return [...statuses, ...errors].join(', ');
}

/** "3 requests failed (503 ×3)", or how long they waited when none failed. */
export function describeFelt(felt: Felt): string {
  const waited =
    felt.longestMs > 0 ? `the longest request in it took ${formatMs(felt.longestMs)}` : '';
  if (felt.failures === 0)
    return waited ? `No request failed in it; ${waited}.` : 'No request failed in it.';
  const failed = `${felt.failures} of the ${felt.requests} requests sent in it failed (${felt.failedAs})`;
  return waited ? `${failed}; ${waited}.` : `${failed}.`;
}
