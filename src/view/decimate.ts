export interface Point {
  x: number;
  y: number;
}

/**
 * Thins a series to at most `maxPoints` by splitting it into equal runs and keeping one point per run:
 * the highest for latency, so that no spike disappears from a chart (LTTB keeps the shape but may
 * drop a maximum), or the first for series whose values must stay consistent with each other.
 */
export function decimate<T extends Point>(
  points: readonly T[],
  maxPoints: number,
  keep: 'max' | 'first',
): T[] {
  if (points.length <= maxPoints) return [...points];
  const run = points.length / maxPoints;
  const kept: T[] = [];
  for (let i = 0; i < maxPoints; i++) {
    const slice = points.slice(Math.floor(i * run), Math.floor((i + 1) * run));
    const first = slice[0];
    if (!first) continue;
    kept.push(keep === 'first' ? first : slice.reduce((a, b) => (b.y > a.y ? b : a)));
  }
  return kept;
}
