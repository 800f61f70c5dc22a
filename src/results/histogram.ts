import { inflateSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/**
 * Latencies are recorded in microseconds. Phase and trial histograms ('dense') keep 3 significant
 * digits. Interval histograms are many (3,600 an hour) and only drawn: they use the packed layout
 * (memory follows the distinct values, ~1 KB each) with 2 significant digits, which makes their
 * percentile queries 6× faster (0.5 ms against 3 ms measured here) at 1 % resolution; each interval
 * keeps its exact maximum beside. An interval still receiving samples is kept 'open': the same 2
 * digits, laid out dense, because recording into a packed histogram costs 4× as much (350 ns against
 * 90 ns here) on the generator's hot path; it is packed when it closes (`packHistogram`).
 * 'packed-fine' keeps 3 digits packed: a shard's requests after the trigger, by interval, to be
 * split into phases by a merge (record/merge.ts).
 */
export type HistogramLayout = 'dense' | 'open-interval' | 'packed' | 'packed-fine';

export function createLatencyHistogram(layout: HistogramLayout = 'dense'): Histogram {
  return hdr.build({
    bitBucketSize: layout === 'packed' || layout === 'packed-fine' ? 'packed' : 32,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: layout === 'dense' || layout === 'packed-fine' ? 3 : 2,
    autoResize: true,
  });
}

/** The same counts in a packed layout of the same precision: exact. */
export function packHistogram(open: Histogram, layout: 'packed' | 'packed-fine'): Histogram {
  const packed = createLatencyHistogram(layout);
  packed.add(open);
  return packed;
}

export function msToMicros(ms: number): number {
  return Math.max(1, Math.round(ms * 1000));
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Far above any histogram this tool writes (a dense 3-digit one up to an hour is ~10 KB inflated). */
const MAX_INFLATED_BYTES = 1024 * 1024;
/** Cookie, payload length, normalising offset, digits, lowest, highest, conversion ratio. */
const HEADER_BYTES = 40;
/** The largest value a histogram may be sized for: 2⁴⁵ µs, a year. */
const MAX_TRACKABLE_MICROS = 2 ** 45;

/**
 * Whether a compressed histogram from a file can be decoded without harm: its deflated payload must
 * inflate to at most 1 MB (a few hundred bytes of base64 can inflate to gigabytes), and its header
 * must ask for the precision and range this tool writes (they size the counts array), and its
 * counts must be as long as it says. The layout: cookie, compressed length, then zlib data holding
 * the header (cookie, payload length, offset, digits, lowest, highest, ratio) and the counts.
 */
export function isDecodableHistogram(base64: string): boolean {
  try {
    const bytes = Buffer.from(base64, 'base64');
    const inflated = inflateSync(bytes.subarray(8, 8 + bytes.readInt32BE(4)), {
      maxOutputLength: MAX_INFLATED_BYTES,
    });
    // The counts that follow the 40-byte header must all be there: the decoder reads as far as the
    // header says, past the end as zeros, for as long as it says (2³¹ bytes: minutes).
    const payload = inflated.readInt32BE(4);
    const digits = inflated.readInt32BE(12);
    const highest = Number(inflated.readBigInt64BE(24));
    return (
      payload >= 0 &&
      HEADER_BYTES + payload <= inflated.length &&
      digits >= 1 &&
      digits <= 3 &&
      highest >= 1 &&
      highest <= MAX_TRACKABLE_MICROS
    );
  } catch {
    return false;
  }
}

export function decodeHistogram(base64: string, layout: 'packed' | 'dense' = 'dense'): Histogram {
  return hdr.decodeFromCompressedBase64(base64, layout === 'packed' ? 'packed' : 32);
}

/** Value at a percentile, in milliseconds; NaN for an empty histogram. */
export function percentileMs(histogram: Histogram, percentile: number): number {
  if (histogram.totalCount === 0) return Number.NaN;
  return histogram.getValueAtPercentile(percentile) / 1000;
}
