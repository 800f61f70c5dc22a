import { Coverage } from '../results/coverage.ts';
import type { UserWait } from '../results/recording.ts';
import { isFailure, OPEN_MODEL_USER, type Sample } from '../results/sample.ts';

/**
 * What users felt of a set of requests (a trial's, or one endpoint's): the longest wait from a failing
 * request to the next success, and the disrupted moments — when some request failed or was slower
 * than the slow threshold. One state per user.
 */
export class WaitTracker {
  private readonly coverage = new Coverage();
  /** Per user: start of the failing streak it is in (NaN when none), and the end of its last failure. */
  private readonly failingSince: number[] = [];
  private readonly lastFailureEnd: number[] = [];
  private longestUserWait: UserWait | undefined;

  /** `slowMs` gives the slow threshold once it is known (at the trigger, or set by the scenario). */
  constructor(private readonly slowMs: () => number | undefined) {}

  record(sample: Sample, end: number): void {
    if (sample.user === OPEN_MODEL_USER) this.trackArrival(sample, end);
    else this.trackUser(sample, end);
  }

  /** Closes the streaks still failing at the end: their users never saw a success again. */
  finish(): { longestUserWait: UserWait | undefined; spans: [number, number][] } {
    for (const [user, since] of this.failingSince.entries()) {
      if (since === undefined || Number.isNaN(since)) continue;
      const lastEnd = this.lastFailureEnd[user] as number;
      this.coverage.mark(since, lastEnd);
      this.noteUserWait(lastEnd - since, user, since, false);
    }
    return { longestUserWait: this.longestUserWait, spans: this.coverage.spans() };
  }

  /**
   * What a user who keeps retrying feels: from the start of a failing request to the end of that
   * user's next success. Equal to the latency when nothing fails.
   */
  private trackUser(sample: Sample, end: number): void {
    const { user } = sample;
    const since = this.failingSince[user] ?? Number.NaN;
    if (isFailure(sample)) {
      if (Number.isNaN(since)) this.failingSince[user] = sample.t;
      this.lastFailureEnd[user] = end;
      return;
    }
    const waitStart = Number.isNaN(since) ? sample.t : since;
    this.failingSince[user] = Number.NaN;
    this.noteUserWait(end - waitStart, user, waitStart, true);
    const threshold = this.slowMs();
    if (!Number.isNaN(since) || (threshold !== undefined && sample.latencyMs > threshold)) {
      this.coverage.mark(waitStart, end);
    }
  }

  /**
   * An open-model arrival stands alone (there is no user to retry): its wait is its latency, and a
   * failed or slow one counts towards disruption for its own span.
   */
  private trackArrival(sample: Sample, end: number): void {
    const threshold = this.slowMs();
    const slow = threshold !== undefined && sample.latencyMs > threshold;
    if (isFailure(sample) || slow) this.coverage.mark(sample.t, end);
    if (!isFailure(sample)) this.noteUserWait(sample.latencyMs, OPEN_MODEL_USER, sample.t, true);
  }

  /** Positional, so that the hot path allocates only for a new longest wait. */
  private noteUserWait(ms: number, user: number, startMs: number, resolved: boolean): void {
    if (!this.longestUserWait || ms > this.longestUserWait.ms) {
      this.longestUserWait = { ms, user, startMs, resolved };
    }
  }
}
