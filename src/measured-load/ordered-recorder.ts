import type { Recorder } from '../record/recorder.ts';
import type { DeployEvent } from '../results/deploy-events.ts';
import type { Histogram } from '../results/histogram.ts';
import type { Sample } from '../results/sample.ts';

type Held = { end: number; sample: Sample } | { end: number; droppedAt: number };

/**
 * A generator thread's recorder, fed as if the thread shared the main thread's event loop. The deploy's
 * events reach a thread by message, a little late: a request that ended just after the trigger, but
 * before the thread heard of it, would be counted before it. So the thread holds each request until
 * the main thread's watermark passes its end — a promise that every event up to then has been sent
 * (messages arrive in order). At the trigger the threads also pool their baselines, so that the slow
 * threshold and the corrected view's expected interval come from every thread's requests, as with
 * one thread. Requests end in order, so the held ones form a queue.
 */
export class OrderedRecorder {
  private held: Held[] = [];
  private head = 0;
  private watermark = Number.NEGATIVE_INFINITY;
  /** The trigger, from when this thread sent its baseline until the pooled one comes back. */
  private pendingTrigger: DeployEvent | undefined;
  private readonly deferredEvents: DeployEvent[] = [];

  constructor(private readonly recorder: Recorder) {}

  sample(sample: Sample): void {
    this.held.push({ end: sample.t + sample.latencyMs, sample });
  }

  dropped(t: number): void {
    this.held.push({ end: t, droppedAt: t });
  }

  /** Every deploy event up to `t` has been received. */
  advance(t: number): void {
    this.watermark = t;
    if (!this.pendingTrigger) this.flush((end) => end <= t);
  }

  event(event: DeployEvent): void {
    if (this.pendingTrigger) this.deferredEvents.push(event);
    else this.recorder.event(event);
  }

  /** Records what ended before the trigger and returns this thread's share of the baseline. */
  trigger(event: DeployEvent): Histogram {
    this.flush((end) => end < event.t);
    this.pendingTrigger = event;
    return this.recorder.baseline;
  }

  /** The baseline of every thread: the trigger takes effect, and recording resumes. */
  pooledBaseline(baseline: Histogram): void {
    if (!this.pendingTrigger) return;
    this.recorder.event(this.pendingTrigger, baseline);
    this.pendingTrigger = undefined;
    for (const event of this.deferredEvents.splice(0)) this.recorder.event(event);
    this.advance(this.watermark);
  }

  /** The load has stopped: everything held is recorded. */
  flushAll(): void {
    if (this.pendingTrigger) this.pooledBaseline(this.recorder.baseline);
    this.flush(() => true);
  }

  private flush(due: (end: number) => boolean): void {
    const { held } = this;
    while (this.head < held.length && due((held[this.head] as Held).end)) {
      const entry = held[this.head++] as Held;
      if ('sample' in entry) this.recorder.record(entry.sample);
      else this.recorder.recordDropped(entry.droppedAt);
    }
    // Drop the recorded prefix now and then, rather than shifting on every request.
    if (this.head > 1024 && this.head * 2 > held.length) {
      this.held = held.slice(this.head);
      this.head = 0;
    }
  }
}
