import { Pool } from 'undici';
import type { Clock } from '../process/clock.ts';
import { createLatencyHistogram, type Histogram, msToMicros } from '../results/histogram.ts';
import { OPEN_MODEL_USER, type Sample } from '../results/sample.ts';
import type { OpenLoadConfig } from '../scenario/schema.ts';
import type { InFlight, LoadGenerator } from './load-generator.ts';
import { type PreparedRequest, prepareRequest, RequestSender } from './request.ts';
import { DEFAULT_SEED } from './share.ts';

export interface OpenModelOptions {
  origin: string;
  load: OpenLoadConfig;
  clock: Clock;
  onSample: (sample: Sample) => void;
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
  private readonly request: PreparedRequest;
  /** Requests in flight, by intended start: one sender each, so that an interruption can cut them. */
  private readonly pending = new Map<RequestSender, { done: Promise<void>; intended: number }>();
  private readonly random: () => number;
  private next = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(private readonly options: OpenModelOptions) {
    const { origin, load } = options;
    this.request = prepareRequest(load);
    this.pool = new Pool(origin, {
      connections: load.maxInFlight,
      pipelining: 1,
      connect: { timeout: load.timeout },
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.random = mulberry32(options.seed ?? DEFAULT_SEED);
  }

  start(): void {
    // The schedule is anchored at the trial's t0, not at this call: a worker thread that hears of
    // the start late sends the arrivals it missed at once (late, as counted), and none is skipped.
    this.next = this.options.arrivalOffsetMs ?? 0;
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
    if (this.next >= (this.options.arrivalsUntilMs ?? Number.POSITIVE_INFINITY)) return;
    const wait = this.next - this.options.clock.now();
    if (wait > SPIN_WINDOW_MS) this.timer = setTimeout(this.loop, wait - SPIN_WINDOW_MS);
    else this.immediate = setImmediate(this.loop);
  };

  /** Every arrival that is due goes now, even after a pause of the event loop: none is skipped. */
  private sendDue(): void {
    const { clock, arrivalsUntilMs = Number.POSITIVE_INFINITY } = this.options;
    while (this.next <= clock.now() && this.next < arrivalsUntilMs) {
      this.arrive(this.next);
      this.next += this.gap();
    }
  }

  private gap(): number {
    const mean = 1000 / this.options.load.rate;
    return this.options.load.arrival === 'poisson' ? -Math.log(1 - this.random()) * mean : mean;
  }

  private arrive(intended: number): void {
    const { load, clock, onSample, onDropped } = this.options;
    if (this.pending.size >= load.maxInFlight) {
      onDropped(intended);
      return;
    }
    const sentAt = clock.now();
    this.scheduleLag.recordValue(msToMicros(sentAt - intended));
    const sender = new RequestSender(this.pool, this.request);
    const request = sender.sendOnce().then((outcome) => {
      sender.close();
      this.pending.delete(sender);
      if (outcome.kind === 'aborted') return;
      const end = clock.now();
      const user = OPEN_MODEL_USER;
      const latencyMs = end - intended;
      const serviceMs = end - sentAt;
      if (outcome.kind === 'response') {
        const { status, bytes, release, instance } = outcome;
        onSample({ user, t: intended, latencyMs, serviceMs, status, bytes, release, instance });
      } else {
        onSample({
          user,
          t: intended,
          latencyMs,
          serviceMs,
          status: 0,
          error: outcome.error,
          bytes: 0,
        });
      }
    });
    this.pending.set(sender, { done: request, intended });
  }
}

/** A small seeded generator: Poisson arrivals that repeat from run to run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
