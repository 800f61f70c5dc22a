import { addSample, emptyBucket, mergeBucket } from '../results/bucket.ts';
import { totalMs } from '../results/coverage.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import { isDeployEnd } from '../results/deploy-events.ts';
import {
  createLatencyHistogram,
  type Histogram,
  msToMicros,
  percentileMs,
} from '../results/histogram.ts';
import type { InstancesRecorder, InstanceTraffic } from '../results/parts/instances.ts';
import type { PartRecorder, SampleContext } from '../results/parts/part.ts';
import { finishParts, partRecorders } from '../results/parts/registry.ts';
import type {
  AlternateLatency,
  Bucket,
  Disruption,
  EndpointRecording,
  Phase,
  Recording,
} from '../results/recording.ts';
import type { Sample } from '../results/sample.ts';
import { IntervalSeries } from './interval-series.ts';
import { WaitTracker } from './waits.ts';

/** A request slower than this counts as disruption; where the figure came from. */
export interface SlowThreshold {
  ms: number;
  source: Disruption['thresholdSource'];
}

export interface RecorderOptions {
  intervalMs?: number;
  /** A request slower than this counts as disruption; without it, derived from the baseline. */
  slowThresholdMs?: number;
  /** Where `slowThresholdMs` came from: the scenario (unless told), or a baseline taken earlier. */
  slowThresholdSource?: Disruption['thresholdSource'];
  /**
   * Which second view of latency to keep: `corrected` for a closed model (coordinated omission, with
   * the users' think time), `service` for the open model.
   */
  alternate?: { kind: 'corrected'; thinkTimeMs: number } | { kind: 'service' };
  /**
   * A shard that follows the shared schedule but does not run the deploy: it never learns when the
   * deploy ended, so everything after the trigger is 'during', and it keeps those requests by
   * interval as well (`followerTails`) for a merge to split once the end is known.
   */
  follower?: boolean;
  /** The names of `load.endpoints`: each endpoint's requests are also recorded on their own. */
  endpoints?: readonly string[];
  /**
   * The deploy's window is found only afterwards, from the traffic (`bench watch`): no event comes,
   * every request is 'before', and every request is also kept by interval at full precision — the
   * trial's and each endpoint's `unsplit` — for `splitPhases` to split once the window is known.
   */
  splitLater?: boolean;
}

/** A corrected histogram needs an expected interval above 0: a 50 µs baseline would explode it. */
const MIN_EXPECTED_INTERVAL_MS = 1;

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
  readonly intervalMs: number;
  private readonly phases: Record<Phase, Bucket> = {
    before: emptyBucket(),
    during: emptyBucket(),
    after: emptyBucket(),
  };
  private readonly intervals: IntervalSeries;
  /** A shard that does not run the deploy: its requests after the trigger, to be split by a merge. */
  private readonly followerTails: IntervalSeries | undefined;
  /** Every request by interval, for a window found afterwards (`splitLater`). */
  private readonly unsplit: IntervalSeries | undefined;
  private readonly timeline: DeployEvent[] = [];
  /** The parts kept by modules of their own (results/parts/), the instances among them. */
  private readonly parts: PartRecorder<object>[];
  /** Of those, the ones that also record the probe's requests. */
  private readonly probedParts: PartRecorder<object>[];
  private readonly instances: InstancesRecorder;
  private readonly context: SampleContext = { end: 0, phase: 'before' };
  private readonly waits = new WaitTracker(() => this.slowThreshold?.ms);
  /** Per endpoint of `load.endpoints`, in their order; none for the single `load.request`. */
  private readonly endpoints: EndpointRecorder[];
  private connections = 0;
  private triggeredAt: number | undefined;
  private endedAt: number | undefined;
  private slowThreshold: SlowThreshold | undefined;
  /** The second view of latency, per phase (the overall one is their sum, made at the end). */
  private readonly alternate: Omit<AlternateLatency, 'overall'> | undefined;
  private readonly thinkTimeMs: number;

  constructor(options: RecorderOptions = {}) {
    if (options.alternate) {
      const histogram = () => createLatencyHistogram();
      this.alternate = {
        kind: options.alternate.kind,
        phases: { before: histogram(), during: histogram(), after: histogram() },
      };
    }
    this.thinkTimeMs = options.alternate?.kind === 'corrected' ? options.alternate.thinkTimeMs : 0;
    this.intervalMs = options.intervalMs ?? 1000;
    this.intervals = new IntervalSeries(this.intervalMs, {
      open: 'open-interval',
      packed: 'packed',
    });
    if (options.follower) this.followerTails = fineIntervals(this.intervalMs);
    if (options.splitLater) this.unsplit = fineIntervals(this.intervalMs);
    const partOptions = {
      intervalMs: this.intervalMs,
      endpoints: options.endpoints ?? [],
      splitLater: options.splitLater ?? false,
      slowThresholdMs: () => this.slowThreshold?.ms,
    };
    const parts = partRecorders(partOptions);
    this.parts = parts.all;
    this.probedParts = parts.probed;
    this.instances = parts.instances;
    this.endpoints = (options.endpoints ?? []).map(
      (name) =>
        new EndpointRecorder(name, () => this.slowThreshold?.ms, {
          ...(options.follower ? { followerTails: fineIntervals(this.intervalMs) } : {}),
          ...(options.splitLater ? { unsplit: fineIntervals(this.intervalMs) } : {}),
        }),
    );
    if (options.slowThresholdMs !== undefined) {
      this.slowThreshold = {
        ms: options.slowThresholdMs,
        source: options.slowThresholdSource ?? 'scenario',
      };
    }
  }

  /**
   * A deploy phase. At the trigger, the baseline (the requests before it) sets the slow threshold and
   * the corrected view's expected interval; `baseline` gives the latency of every generator thread's
   * requests before the trigger, where this recorder holds only its own share.
   */
  event(event: DeployEvent, baseline: Histogram = this.phases.before.latency): void {
    this.timeline.push(event);
    for (const part of this.parts) part.event?.(event);
    if (event.phase === 'triggered' && this.triggeredAt === undefined) {
      this.triggeredAt = event.t;
      this.slowThreshold ??= baselineThreshold(baseline);
      if (this.alternate?.kind === 'corrected') {
        // What a user would have sent at in steady state: its think time plus a baseline response.
        const mean = baseline.totalCount > 0 ? baseline.mean / 1000 : 0;
        this.alternate.expectedIntervalMs = Math.max(
          this.thinkTimeMs + mean,
          MIN_EXPECTED_INTERVAL_MS,
        );
      }
    }
    if (isDeployEnd(event) && this.endedAt === undefined) {
      this.endedAt = event.t;
    }
  }

  /** The slow threshold, known only as the load starts (a watch's baseline), before any sample. */
  useSlowThreshold(threshold: SlowThreshold): void {
    this.slowThreshold = threshold;
  }

  record(sample: Sample): void {
    const end = sample.t + sample.latencyMs;
    const phase = this.phaseOf(sample.t, end);
    if (sample.probe) {
      this.recordProbe(sample, end, phase);
      return;
    }
    // Every sample belongs to exactly one phase, so the overall figures are their sum (`finish`):
    // one histogram less to record into on the generator's hot path.
    addSample(this.phases[phase], sample);
    addSample(this.intervals.at(sample.t), sample);
    if (phase !== 'before' && this.followerTails)
      addSample(this.followerTails.at(sample.t), sample);
    if (this.unsplit) addSample(this.unsplit.at(sample.t), sample);
    this.recordAlternate(sample, phase);
    this.waits.record(sample, end);
    if (sample.endpoint !== undefined) this.endpoints[sample.endpoint]?.record(sample, phase, end);
    // One context object, rewritten per request: the hot path allocates nothing for the parts.
    const context = this.context;
    context.end = end;
    context.phase = phase;
    for (const part of this.parts) part.record(sample, context);
  }

  /** The probe's requests count only where a part takes them: never in the users' figures. */
  private recordProbe(sample: Sample, end: number, phase: Phase): void {
    const context = this.context;
    context.end = end;
    context.phase = phase;
    for (const part of this.probedParts) part.record(sample, context);
  }

  /** A connection to the target was opened (one per user with keep-alive, one per request without). */
  recordConnection(): void {
    this.connections++;
  }

  /** Responses per instance so far, for the live view: read a few times a second, not per request. */
  answeredBy(): Iterable<[string, number]> {
    return this.instances.answeredBy();
  }

  /** The trial so far, for a live view: its intervals by the start of their requests. */
  intervalsSoFar(): readonly Bucket[] {
    return this.intervals.soFar();
  }

  /** Each instance's traffic so far, for a live view. */
  instancesSoFar(): Iterable<Readonly<InstanceTraffic>> {
    return this.instances.soFar();
  }

  /** The slow threshold, once known (the scenario's, or the baseline's at the trigger). */
  get slowThresholdMs(): number | undefined {
    return this.slowThreshold?.ms;
  }

  /** The latency of the requests before the trigger so far: this recorder's share of the baseline. */
  get baseline(): Histogram {
    return this.phases.before.latency;
  }

  /** An open-model arrival that could not be sent: counted, never silently skipped. */
  recordDropped(t: number): void {
    const phase = this.phaseOf(t, t);
    this.phases[phase].dropped++;
    this.intervals.at(t).dropped++;
    if (phase !== 'before' && this.followerTails) this.followerTails.at(t).dropped++;
    if (this.unsplit) this.unsplit.at(t).dropped++;
  }

  /** Closes the trial at `durationMs` and hands over what was recorded. */
  finish(durationMs: number): Recording {
    const { longestUserWait, spans } = this.waits.finish();
    const threshold = this.slowThreshold ?? baselineThreshold(this.phases.before.latency);
    const overall = emptyBucket();
    for (const phase of Object.values(this.phases)) mergeBucket(overall, phase);
    return {
      intervalMs: this.intervalMs,
      durationMs,
      overall,
      phases: this.phases,
      intervals: this.intervals.finish(),
      ...(this.followerTails ? { followerTails: this.followerTails.finish() } : {}),
      ...(this.unsplit ? { unsplit: this.unsplit.finish() } : {}),
      longestUserWait,
      ...(this.alternate ? { alternateLatency: this.finishAlternate(this.alternate) } : {}),
      disruption: {
        ms: totalMs(spans),
        thresholdMs: threshold.ms,
        thresholdSource: threshold.source,
        spans,
      },
      timeline: this.timeline,
      connections: this.connections,
      ...(this.endpoints.length > 0
        ? { endpoints: this.endpoints.map((endpoint) => endpoint.finish()) }
        : {}),
      ...finishParts(this.parts),
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

  private recordAlternate(sample: Sample, phase: Phase): void {
    const alternate = this.alternate;
    if (!alternate) return;
    const histogram = alternate.phases[phase];
    if (alternate.kind === 'service') {
      histogram.recordValue(msToMicros(sample.serviceMs ?? sample.latencyMs));
      return;
    }
    const micros = msToMicros(sample.latencyMs);
    const expected = alternate.expectedIntervalMs;
    if (expected === undefined) histogram.recordValue(micros);
    else histogram.recordValueWithExpectedInterval(micros, msToMicros(expected));
  }

  private finishAlternate(alternate: NonNullable<Recorder['alternate']>): AlternateLatency {
    const overall = createLatencyHistogram();
    for (const histogram of Object.values(alternate.phases)) overall.add(histogram);
    return { ...alternate, overall };
  }
}

/** One endpoint's requests: by phase, and what its users felt. */
class EndpointRecorder {
  private readonly phases: Record<Phase, Bucket> = {
    before: emptyBucket(),
    during: emptyBucket(),
    after: emptyBucket(),
  };
  private readonly waits: WaitTracker;

  constructor(
    readonly name: string,
    slowMs: () => number | undefined,
    /** Kept by interval as the trial's are, for a follower shard or a watch. */
    private readonly series: { followerTails?: IntervalSeries; unsplit?: IntervalSeries },
  ) {
    this.waits = new WaitTracker(slowMs);
  }

  record(sample: Sample, phase: Phase, end: number): void {
    addSample(this.phases[phase], sample);
    const { followerTails, unsplit } = this.series;
    if (phase !== 'before' && followerTails) addSample(followerTails.at(sample.t), sample);
    if (unsplit) addSample(unsplit.at(sample.t), sample);
    this.waits.record(sample, end);
  }

  finish(): EndpointRecording {
    const { longestUserWait, spans } = this.waits.finish();
    return {
      name: this.name,
      phases: this.phases,
      ...(this.series.followerTails ? { followerTails: this.series.followerTails.finish() } : {}),
      ...(this.series.unsplit ? { unsplit: this.series.unsplit.finish() } : {}),
      ...(longestUserWait ? { longestUserWait } : {}),
      disruption: { ms: totalMs(spans), spans },
    };
  }
}

/** Requests by interval at full precision, to be split into phases later. */
function fineIntervals(intervalMs: number): IntervalSeries {
  return new IntervalSeries(intervalMs, { open: 'dense', packed: 'packed-fine' });
}

/** The slow threshold a baseline gives: a multiple of its p99, with a floor. */
export function baselineThreshold(before: Histogram): SlowThreshold {
  const p99 = percentileMs(before, 99);
  if (Number.isNaN(p99)) return { ms: DEFAULT_SLOW_THRESHOLD_MS, source: 'default' };
  return { ms: Math.max(BASELINE_P99_FACTOR * p99, MIN_SLOW_THRESHOLD_MS), source: 'baseline' };
}
