/**
 * Which milliseconds of a trial were covered by some span (a failing stretch, a slow request), kept as
 * a bitmap at 1 ms resolution (or coarser): memory follows the trial's length (450 KB an hour), not
 * the number of spans, and overlapping spans from many users add up to their union.
 */
export class Coverage {
  private bits = new Uint8Array(1024);

  /** `resolutionMs`: each bit stands for that many milliseconds, and a mark covers whole ones. */
  constructor(private readonly resolutionMs = 1) {}

  mark(startMs: number, endMs: number): void {
    const from = Math.max(0, Math.floor(startMs / this.resolutionMs));
    const to = Math.max(from + 1, Math.ceil(endMs / this.resolutionMs));
    this.ensure(to);
    for (let ms = from; ms < to; ms++)
      this.bits[ms >> 3] = (this.bits[ms >> 3] as number) | (1 << (ms & 7));
  }

  /** Merged spans [start, end) in milliseconds, in order. */
  spans(): [number, number][] {
    const spans: [number, number][] = [];
    let start = -1;
    const total = this.bits.length * 8;
    for (let ms = 0; ms <= total; ms++) {
      const covered = ms < total && ((this.bits[ms >> 3] as number) & (1 << (ms & 7))) !== 0;
      if (covered && start < 0) start = ms;
      if (!covered && start >= 0) {
        spans.push([start * this.resolutionMs, ms * this.resolutionMs]);
        start = -1;
      }
    }
    return spans;
  }

  private ensure(endMs: number): void {
    const bytes = (endMs >> 3) + 1;
    if (bytes <= this.bits.length) return;
    const grown = new Uint8Array(Math.max(bytes, this.bits.length * 2));
    grown.set(this.bits);
    this.bits = grown;
  }
}

/** Spans [start, end) in order, overlapping or touching ones joined: what one bitmap would give. */
export function unionOfSpans(spans: readonly [number, number][]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const union: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = union.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else union.push([start, end]);
  }
  return union;
}

/** The total length of spans that do not overlap. */
export function totalMs(spans: readonly [number, number][]): number {
  return spans.reduce((sum, [start, end]) => sum + (end - start), 0);
}
