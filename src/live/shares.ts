/**
 * Who answered the last few seconds' traffic: responses per instance, sampled as the load reports
 * them, and each instance's share of the responses within the window. A window of a few reports
 * (a generator thread reports every 250 ms), short enough that a switch shows within seconds.
 */
export const SHARE_WINDOW_MS = 2000;

/**
 * The rate is measured over a shorter window: more than two of a generator thread's reports (every
 * 250 ms), so that a window never holds none of them.
 */
const RATE_WINDOW_MS = 600;

interface Reading {
  at: number;
  requests: number;
  answeredBy: Map<string, number>;
}

export class ShareWindow {
  private readings: Reading[] = [];
  private readonly lastAnswered = new Map<string, number>();

  constructor(private readonly windowMs = SHARE_WINDOW_MS) {}

  /** The load's counts at `at` (ms on any clock that only goes forward). */
  observe(at: number, requests: number, answeredBy: Iterable<[string, number]>): void {
    const reading: Reading = { at, requests, answeredBy: new Map(answeredBy) };
    const previous = this.readings.at(-1);
    for (const [id, count] of reading.answeredBy) {
      if (count > (previous?.answeredBy.get(id) ?? 0)) this.lastAnswered.set(id, at);
    }
    this.readings.push(reading);
    // The oldest reading kept is the last one at or before the window's start: a window never
    // measures less than its length once it is full.
    while ((this.readings[1]?.at ?? Number.POSITIVE_INFINITY) <= at - this.windowMs)
      this.readings.shift();
  }

  /** Each instance's share of the responses in the window, in [0, 1]; empty before two readings. */
  shares(): Map<string, number> {
    const first = this.readings[0];
    const last = this.readings.at(-1);
    if (!first || !last || first === last) return new Map();
    const deltas = [...last.answeredBy].map(
      ([id, count]) => [id, Math.max(0, count - (first.answeredBy.get(id) ?? 0))] as const,
    );
    const total = deltas.reduce((sum, [, n]) => sum + n, 0);
    return new Map(deltas.map(([id, n]) => [id, total > 0 ? n / total : 0]));
  }

  /**
   * Requests per second now: over the last RATE_WINDOW_MS (a stall shows as 0 within a second),
   * or what the readings cover until then; undefined before two readings.
   */
  rate(): number | undefined {
    const last = this.readings.at(-1);
    if (!last) return undefined;
    const first =
      [...this.readings].reverse().find((r) => r.at <= last.at - RATE_WINDOW_MS) ??
      this.readings[0];
    if (!first || last.at <= first.at) return undefined;
    return Math.max(0, ((last.requests - first.requests) * 1000) / (last.at - first.at));
  }

  /** When the instance last answered, as far as the readings show. */
  answeredAt(id: string): number | undefined {
    return this.lastAnswered.get(id);
  }

  /** Every instance seen answering, in the order first seen. */
  seen(): string[] {
    return [...(this.readings.at(-1)?.answeredBy.keys() ?? [])];
  }
}
