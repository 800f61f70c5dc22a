import { emptyBucket } from '../results/bucket.ts';
import { type HistogramLayout, packHistogram } from '../results/histogram.ts';
import type { Bucket } from '../results/recording.ts';

/**
 * Buckets by interval of a request's start. The newest two intervals are open (a dense histogram,
 * cheap to record into); older ones are packed, which keeps a long run's memory small. A request
 * that started in a packed interval and ends late is still recorded there, only more slowly.
 */
export class IntervalSeries {
  private readonly buckets: Bucket[] = [];
  /** Buckets before this index are packed. */
  private packedBefore = 0;

  constructor(
    readonly intervalMs: number,
    private readonly layouts: { open: HistogramLayout; packed: 'packed' | 'packed-fine' },
  ) {}

  at(t: number): Bucket {
    const index = Math.max(0, Math.floor(t / this.intervalMs));
    if (index >= this.buckets.length) {
      for (let i = this.buckets.length; i <= index; i++) {
        this.buckets.push(emptyBucket(this.layouts.open));
      }
      this.packBefore(index - 1);
    }
    return this.buckets[index] as Bucket;
  }

  /** The buckets so far, for a live view: read, never recorded into. */
  soFar(): readonly Bucket[] {
    return this.buckets;
  }

  /** Every bucket, packed: the series is closed. */
  finish(): Bucket[] {
    this.packBefore(this.buckets.length);
    return this.buckets;
  }

  private packBefore(end: number): void {
    for (; this.packedBefore < end; this.packedBefore++) {
      const bucket = this.buckets[this.packedBefore] as Bucket;
      bucket.latency = packHistogram(bucket.latency, this.layouts.packed);
    }
  }
}
