import type { DeployEvent } from '../deploy/events.ts';
import { isFailure, type Sample } from '../load/sample.ts';
import { addSample, emptyBucket } from './bucket.ts';
import { Coverage } from './coverage.ts';
import { percentileMs } from './histogram.ts';
import type {
  Bucket,
  Disruption,
  LongTransaction,
  Phase,
  Recording,
  UserWait,
} from './recording.ts';

export interface RecorderOptions {
  intervalMs?: number;
  /** How many of the longest transactions to keep. */
  longestKept?: number;
  /** A request slower than this counts as disruption; without it, derived from the baseline. */
  slowThresholdMs?: number;
}

/** Slow means this many times the baseline's p99 ... */
const BASELINE_P99_FACTOR = 5;
/** ... but never less than this, so that a 1 ms baseline does not make every hiccup a disruption. */
const MIN_SLOW_THRESHOLD_MS = 50;
/** Without any baseline request to go by. */
const DEFAULT_SLOW_THRESHOLD_MS = 1000;

/**
 * Where samples and deploy events meet. Memory follows the trial's length, not its request count:
 * histograms per interval and per phase, counts, the K longest transactions and one state per user.
 */
export class Recorder {
  private readonly intervalMs: number;
  private readonly longestKept: number;
  private readonly overall = emptyBucket();
  private readonly phases: Record<Phase, Bucket> = {
    before: emptyBucket(),
    during: emptyBucket(),
    after: emptyBucket(),
  };
  private readonly intervals: Bucket[] = [];
  private readonly longest: LongTransaction[] = [];
  private readonly timeline: DeployEvent[] = [];
  private readonly coverage = new Coverage();
  /** Per user: start of the failing streak it is in (NaN when none), and the end of its last failure. */
  private readonly failingSince: number[] = [];
  private readonly lastFailureEnd: number[] = [];
  private longestUserWait: UserWait | undefined;
  private triggeredAt: number | undefined;
  private endedAt: number | undefined;
  private slowThreshold: { ms: number; source: Disruption['thresholdSource'] } | undefined;

  constructor(options: RecorderOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.longestKept = options.longestKept ?? 10;
    if (options.slowThresholdMs !== undefined) {
      this.slowThreshold = { ms: options.slowThresholdMs, source: 'scenario' };
    }
  }

  event(event: DeployEvent): void {
    this.timeline.push(event);
    if (event.phase === 'triggered' && this.triggeredAt === undefined) {
      this.triggeredAt = event.t;
      this.slowThreshold ??= this.baselineThreshold();
    }
    if ((event.phase === 'completed' || event.phase === 'failed') && this.endedAt === undefined) {
      this.endedAt = event.t;
    }
  }

  record(sample: Sample): void {
    const end = sample.t + sample.latencyMs;
    addSample(this.overall, sample);
    addSample(this.phases[this.phaseOf(sample.t, end)], sample);
    addSample(this.intervalAt(sample.t), sample);
    this.keepIfLongest(sample);
    this.trackUser(sample, end);
  }

  /** Closes the trial at `durationMs` and hands over what was recorded. */
  finish(durationMs: number): Recording {
    for (const [user, since] of this.failingSince.entries()) {
      if (since === undefined || Number.isNaN(since)) continue;
      const lastEnd = this.lastFailureEnd[user] as number;
      this.coverage.mark(since, lastEnd);
      this.noteUserWait({ ms: lastEnd - since, user, startMs: since, resolved: false });
    }
    const threshold = this.slowThreshold ?? this.baselineThreshold();
    const spans = this.coverage.spans();
    return {
      intervalMs: this.intervalMs,
      durationMs,
      overall: this.overall,
      phases: this.phases,
      intervals: this.intervals,
      longest: this.longest,
      longestUserWait: this.longestUserWait,
      disruption: {
        ms: spans.reduce((sum, [start, end]) => sum + (end - start), 0),
        thresholdMs: threshold.ms,
        thresholdSource: threshold.source,
        spans,
      },
      timeline: this.timeline,
    };
  }

  /**
   * A request belongs to the deploy when it overlaps it: one that started just before the trigger
   * and waited through a restart is part of what the deploy did.
   */
  private phaseOf(start: number, end: number): Phase {
    if (this.triggeredAt === undefined || end < this.triggeredAt) return 'before';
    if (this.endedAt !== undefined && start >= this.endedAt) return 'after';
    return 'during';
  }

  private intervalAt(t: number): Bucket {
    const index = Math.max(0, Math.floor(t / this.intervalMs));
    for (let i = this.intervals.length; i <= index; i++) this.intervals.push(emptyBucket('packed'));
    return this.intervals[index] as Bucket;
  }

  private keepIfLongest(sample: Sample): void {
    const kept = this.longest;
    if (
      kept.length >= this.longestKept &&
      (kept.at(-1) as LongTransaction).latencyMs >= sample.latencyMs
    ) {
      return;
    }
    const entry: LongTransaction = {
      t: sample.t,
      latencyMs: sample.latencyMs,
      status: sample.status,
      user: sample.user,
      ...(sample.error ? { error: sample.error } : {}),
      ...(sample.release !== undefined ? { release: sample.release } : {}),
    };
    const at = kept.findIndex((other) => other.latencyMs < sample.latencyMs);
    kept.splice(at < 0 ? kept.length : at, 0, entry);
    if (kept.length > this.longestKept) kept.pop();
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
    this.noteUserWait({ ms: end - waitStart, user, startMs: waitStart, resolved: true });
    const threshold = this.slowThreshold;
    if (!Number.isNaN(since) || (threshold !== undefined && sample.latencyMs > threshold.ms)) {
      this.coverage.mark(waitStart, end);
    }
  }

  private noteUserWait(wait: UserWait): void {
    if (!this.longestUserWait || wait.ms > this.longestUserWait.ms) this.longestUserWait = wait;
  }

  private baselineThreshold(): NonNullable<Recorder['slowThreshold']> {
    const p99 = percentileMs(this.phases.before.latency, 99);
    if (Number.isNaN(p99)) return { ms: DEFAULT_SLOW_THRESHOLD_MS, source: 'default' };
    return { ms: Math.max(BASELINE_P99_FACTOR * p99, MIN_SLOW_THRESHOLD_MS), source: 'baseline' };
  }
}
