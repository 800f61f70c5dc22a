import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/**
 * Latencies are recorded in microseconds with 3 significant digits. Interval histograms are many and
 * mostly sparse, so they use the packed layout: memory follows the distinct values, not the range.
 */
export function createLatencyHistogram(layout: 'packed' | 'dense' = 'dense'): Histogram {
  return hdr.build({
    bitBucketSize: layout === 'packed' ? 'packed' : 32,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

export function msToMicros(ms: number): number {
  return Math.max(1, Math.round(ms * 1000));
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(base64: string, layout: 'packed' | 'dense' = 'dense'): Histogram {
  return hdr.decodeFromCompressedBase64(base64, layout === 'packed' ? 'packed' : 32);
}

/** Value at a percentile, in milliseconds; NaN for an empty histogram. */
export function percentileMs(histogram: Histogram, percentile: number): number {
  if (histogram.totalCount === 0) return Number.NaN;
  return histogram.getValueAtPercentile(percentile) / 1000;
}
