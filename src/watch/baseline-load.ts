import type { TargetConnection } from '../load/connection.ts';
import { createLoadGenerator } from '../load/create-load-generator.ts';
import type { LoadGenerator } from '../load/load-generator.ts';
import { type Clock, startClock } from '../process/clock.ts';
import { createLatencyHistogram, type Histogram, msToMicros } from '../results/histogram.ts';
import { isFailure, type Sample } from '../results/sample.ts';
import type { LoadConfig } from '../scenario/schema.ts';

/** What a watch's baseline saw, before the recording took over. */
export interface BaselineSeen {
  requests: number;
  failures: number;
  /** Of its successful requests. */
  latency: Histogram;
  /** The releases that answered, in order of first answer. */
  releases: string[];
  /** The longest request that ended in it, failed ones included. */
  slowestMs: number;
}

/** The baseline's requests in flight when the recording took over, and the oldest one's wait. */
export interface HandedOver {
  count: number;
  oldestMs: number;
}

/** Releases kept by name, at most: a header that names every request must not grow the list. */
const MAX_RELEASES = 100;

/**
 * A watch's baseline: the load, unrecorded, whose latency sets the slow threshold. It is not cut at
 * its end: the recording takes the load over (`handOver`), and the requests still in flight then are
 * recorded when they end, from their start before the recording began. A deploy that began during
 * the baseline is measured whole, not from the recording's start.
 */
export class BaselineLoad {
  readonly seen: BaselineSeen = {
    requests: 0,
    failures: 0,
    latency: createLatencyHistogram(),
    releases: [],
    slowestMs: 0,
  };
  private readonly clock = startClock();
  private readonly generator: LoadGenerator;
  private record: (sample: Sample) => void = (sample) => this.see(sample);
  /** Its stop, once it has handed over: what `drained` waits for. */
  private draining: Promise<void> = Promise.resolve();

  constructor(target: TargetConnection, load: LoadConfig) {
    this.generator = createLoadGenerator({
      target,
      // The slow threshold is the users' latency, before a deploy: no probe.
      load: { ...load, probe: 0 },
      clock: this.clock,
      onSample: (sample) => this.record(sample),
      onDropped: () => {},
    });
    this.generator.start();
  }

  /**
   * From now on no request is sent, and each one still in flight goes to `record` when it ends, on
   * the recording's clock (it started before its t0: a negative `t`).
   */
  handOver(recording: Clock, record: (sample: Sample) => void): HandedOver {
    const offsetMs = Number(recording.origin - this.clock.origin) / 1e6;
    this.record = (sample) => record({ ...sample, t: sample.t - offsetMs });
    // The stop sends the open model's arrivals already due (they are the baseline's schedule)
    // before it returns to the event loop: read what is in flight after it.
    const draining = this.generator.stop('drain');
    draining.catch(() => {}); // awaited, and reported, by drained()
    this.draining = draining;
    const { count, oldestStart } = this.generator.inFlight();
    return { count, oldestMs: oldestStart === undefined ? 0 : this.clock.now() - oldestStart };
  }

  /**
   * Waits for the requests handed over, as the recorded load's stop does: cut once `signal` aborts
   * (recorded as failed: they had been waited for).
   */
  async drained(signal: AbortSignal): Promise<void> {
    const cut = () => {
      this.generator.stop('abort').catch(() => {}); // the drain reports any failure
    };
    if (signal.aborted) cut();
    else signal.addEventListener('abort', cut, { once: true });
    try {
      await this.draining;
    } finally {
      signal.removeEventListener('abort', cut);
    }
  }

  /** Ends it at once, its requests cut: the watch ended before its recording began, or failed. */
  async abort(): Promise<void> {
    await this.generator.stop('abort');
  }

  private see(sample: Sample): void {
    const { seen } = this;
    seen.requests++;
    seen.slowestMs = Math.max(seen.slowestMs, sample.latencyMs);
    if (isFailure(sample)) seen.failures++;
    else seen.latency.recordValue(msToMicros(sample.latencyMs));
    const { release } = sample;
    if (
      release !== undefined &&
      seen.releases.length < MAX_RELEASES &&
      !seen.releases.includes(release)
    )
      seen.releases.push(release);
  }
}
