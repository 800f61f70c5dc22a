import { Pool } from 'undici';
import type { Clock } from '../process/clock.ts';
import { createLatencyHistogram, type Histogram, msToMicros } from '../results/histogram.ts';
import { OPEN_MODEL_USER, type Sample } from '../results/sample.ts';
import type { OpenLoadConfig } from '../scenario/schema.ts';
import { arrivalTimes } from './arrivals.ts';
import { dispatcherOptions, type TargetConnection } from './connection.ts';
import type { InFlight, LoadGenerator } from './load-generator.ts';
import { RequestSender } from './request.ts';
import { DEFAULT_SEED } from './share.ts';
import {
  endpointPicker,
  type PreparedEndpoint,
  type PreparedTraffic,
  prepareTraffic,
} from './traffic.ts';

export interface OpenModelOptions {
  target: TargetConnection;
  load: OpenLoadConfig;
  clock: Clock;
  onSample: (sample: Sample) => void;
  /** A connection to the target was opened. */
  onConnection?: () => void;
  /** An arrival that found `maxInFlight` requests in flight and was not sent. */
  onDropped: (t: number) => void;
  /** Seed of the Poisson arrivals, so that a run can be repeated exactly. */
  seed?: number;
  /** When the first arrival is due, after the start (one share of several, load/share.ts). */
  arrivalOffsetMs?: number;
  /** No arrival is due at or after this moment (a shard's fixed span, load/share.ts). */
  arrivalsUntilMs?: number;
}

/** Timers fire up to about a millisecond late: sleep until this close, then yield to I/O until due. */
const SPIN_WINDOW_MS = 2;

/**
 * Open model: requests start on a fixed schedule whatever the target does, so a stall is sampled by
 * every arrival it delays (no coordinated omission). Latency is measured from the *intended* start;
 * the service time from the actual send is kept beside it.
 */
export class OpenModel implements LoadGenerator {
  /** How late each request was sent against its schedule: the generator's own error. */
  readonly scheduleLag: Histogram = createLatencyHistogram();
  private readonly pool: Pool;
  private readonly traffic: PreparedTraffic;
  /** Arrival after arrival, the endpoint each goes to: seeded apart from the arrivals' gaps. */
  private readonly pickEndpoint: () => PreparedEndpoint;
  /** Requests in flight, by intended start: one sender each, so that an interruption can cut them. */
  private readonly pending = new Map<RequestSender, { done: Promise<void>; intended: number }>();
  /** The schedule, and the next arrival due (undefined once the schedule has none left). */
  private arrivals: Iterator<number, void> | undefined;
  private next: number | undefined;
  private stopped = false;
  /** Told to abort while draining: requests in flight are recorded as failed, not dropped. */
  private cutWhileDraining = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(private readonly options: OpenModelOptions) {
    const { target, load, onConnection } = options;
    this.traffic = prepareTraffic(load);
    this.pickEndpoint = endpointPicker(
      this.traffic,
      ((options.seed ?? DEFAULT_SEED) ^ 0xe9d) >>> 0,
    );
    this.pool = new Pool(target.origin, {
      ...dispatcherOptions(target, load.timeout),
      connections: load.maxInFlight,
    });
    if (onConnection) this.pool.on('connect', onConnection);
  }

  start(): void {
    // The schedule is anchored at the trial's t0, not at this call: a worker thread that hears of
    // the start late sends the arrivals it missed at once (late, as counted), and none is skipped.
    const { load, seed, arrivalOffsetMs, arrivalsUntilMs } = this.options;
    this.arrivals = arrivalTimes({
      rate: load.rate,
      arrival: load.arrival,
      seed: seed ?? DEFAULT_SEED,
      ...(arrivalOffsetMs !== undefined ? { offsetMs: arrivalOffsetMs } : {}),
      ...(arrivalsUntilMs !== undefined ? { untilMs: arrivalsUntilMs } : {}),
    });
    this.next = this.nextArrival();
    this.loop();
  }

  inFlight(): InFlight {
    let oldestStart = Number.POSITIVE_INFINITY;
    // Insertion order is arrival order: the first one is the oldest.
    for (const { intended } of this.pending.values()) {
      oldestStart = intended;
      break;
    }
    const count = this.pending.size;
    return count === 0 ? { count } : { count, oldestStart };
  }

  async stop(mode: 'drain' | 'abort'): Promise<void> {
    // Arrivals already due when a drain comes are part of the schedule: a busy event loop that had
    // not got round to them yet must not leave them out.
    if (mode === 'drain' && !this.stopped) this.sendDue();
    // Cut while it drained, a request had been waited for: the user saw it fail (a hung target).
    if (mode === 'abort' && this.stopped) this.cutWhileDraining = true;
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    if (mode === 'abort') for (const sender of this.pending.keys()) sender.interrupt();
    await Promise.all([...this.pending.values()].map((p) => p.done));
    await this.pool.destroy().catch(() => {});
  }

  private readonly loop = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.stopped) return;
    this.sendDue();
    if (this.next === undefined) return;
    const wait = this.next - this.options.clock.now();
    if (wait > SPIN_WINDOW_MS) this.timer = setTimeout(this.loop, wait - SPIN_WINDOW_MS);
    else this.immediate = setImmediate(this.loop);
  };

  /** Every arrival that is due goes now, even after a pause of the event loop: none is skipped. */
  private sendDue(): void {
    const { clock } = this.options;
    while (this.next !== undefined && this.next <= clock.now()) {
      this.arrive(this.next);
      this.next = this.nextArrival();
    }
  }

  private nextArrival(): number | undefined {
    const next = this.arrivals?.next();
    return next === undefined || next.done ? undefined : next.value;
  }

  private arrive(intended: number): void {
    const { load, clock, onSample, onDropped } = this.options;
    if (this.pending.size >= load.maxInFlight) {
      onDropped(intended);
      return;
    }
    const sentAt = clock.now();
    this.scheduleLag.recordValue(msToMicros(sentAt - intended));
    const sender = new RequestSender(this.pool, this.traffic);
    const endpointToSend = this.pickEndpoint();
    const endpoint = endpointToSend.index;
    const request = sender.sendOnce(endpointToSend).then((outcome) => {
      sender.close();
      this.pending.delete(sender);
      if (outcome.kind === 'aborted' && !this.cutWhileDraining) return;
      const end = clock.now();
      const user = OPEN_MODEL_USER;
      const latencyMs = end - intended;
      const serviceMs = end - sentAt;
      if (outcome.kind === 'response') {
        const { status, bytes, release, instance, check } = outcome;
        const sample = {
          user,
          t: intended,
          latencyMs,
          serviceMs,
          status,
          bytes,
          release,
          instance,
        };
        onSample(check ? { ...sample, endpoint, check, error: 'check' } : { ...sample, endpoint });
      } else {
        onSample({
          user,
          t: intended,
          latencyMs,
          serviceMs,
          status: 0,
          error: outcome.kind === 'aborted' ? 'timeout' : outcome.error,
          bytes: 0,
          endpoint,
        });
      }
    });
    this.pending.set(sender, { done: request, intended });
  }
}
