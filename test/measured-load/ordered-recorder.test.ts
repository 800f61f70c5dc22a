import { describe, expect, it } from 'vitest';
import { trialMetrics } from '../../src/analysis/trial-metrics.ts';
import { OrderedRecorder } from '../../src/measured-load/ordered-recorder.ts';
import { mergeRecordings } from '../../src/record/merge.ts';
import { Recorder, type RecorderOptions } from '../../src/record/recorder.ts';
import type { DeployEvent } from '../../src/results/deploy-events.ts';
import { createLatencyHistogram } from '../../src/results/histogram.ts';
import type { Recording } from '../../src/results/recording.ts';
import type { Sample } from '../../src/results/sample.ts';

/**
 * Two threads' users: 0 and 1 answer in 1–2 ms, 2 and 3 in 20–30 ms, so the threads' own baselines
 * would give different slow thresholds (the 50 ms floor against 5 × 30 ms). During the deploy
 * (1000–2000 ms) every request takes 60–120 ms.
 */
function samples(): Sample[] {
  const all: Sample[] = [];
  for (let user = 0; user < 4; user++) {
    let t = user * 0.31;
    for (let n = 0; t < 3000; n++) {
      const slowUser = user >= 2;
      const deploying = t >= 1000 && t < 2000;
      const latencyMs = deploying
        ? 60 + ((n * 37 + user * 11) % 60)
        : slowUser
          ? 20 + ((n * 7) % 10)
          : 1 + ((n * 3) % 10) / 10;
      all.push({ user, t, latencyMs, status: 200, bytes: 2 });
      t += latencyMs + 0.5;
    }
  }
  return all.sort((a, b) => a.t + a.latencyMs - (b.t + b.latencyMs));
}

const events: DeployEvent[] = [
  { t: 1000, phase: 'triggered' },
  { t: 2000, phase: 'completed' },
];
const options: RecorderOptions = {
  intervalMs: 100,
  alternate: { kind: 'corrected', thinkTimeMs: 0.5 },
};
/** How late a message from the main thread reaches a thread. */
const DELAY_MS = 3;

/** One thread does it all: events and samples on one event loop, in time order. */
function oneThread(all: Sample[]): Recording {
  const recorder = new Recorder(options);
  const pending = [...events];
  for (const sample of all) {
    while (pending[0] && pending[0].t <= sample.t + sample.latencyMs)
      recorder.event(pending.shift() as DeployEvent);
    recorder.record(sample);
  }
  for (const event of pending) recorder.event(event);
  return recorder.finish(3200);
}

type Message = { at: number; deliver: () => void };

/**
 * Two threads, users 0–1 and 2–3, that hear of each event DELAY_MS late, with watermarks every 5 ms
 * and the baselines pooled at the trigger, as WorkerLoad does.
 */
function twoThreads(all: Sample[]): Recording {
  const recorders = [new Recorder(options), new Recorder(options)];
  const threads = recorders.map((r) => new OrderedRecorder(r));
  const queue: Message[] = [];
  const toEach = (f: (thread: OrderedRecorder) => void) => () => {
    for (const thread of threads) f(thread);
  };
  for (let t = 0; t < 3200; t += 5) {
    const trigger = events.find((e) => e.phase === 'triggered' && e.t <= t && e.t > t - 5);
    if (trigger) {
      queue.push({
        at: trigger.t + DELAY_MS,
        deliver: () => {
          const pooled = createLatencyHistogram();
          for (const thread of threads) pooled.add(thread.trigger(trigger));
          // The pooled baseline comes back a round trip later.
          queue.push({
            at: trigger.t + 3 * DELAY_MS,
            deliver: toEach((th) => th.pooledBaseline(pooled)),
          });
          queue.sort((a, b) => a.at - b.at);
        },
      });
    }
    for (const event of events.filter((e) => e.phase !== 'triggered' && e.t <= t && e.t > t - 5)) {
      queue.push({
        at: event.t + DELAY_MS,
        deliver: toEach((th) => th.event(event)),
      });
    }
    queue.push({ at: t + DELAY_MS, deliver: toEach((th) => th.advance(t)) });
  }
  queue.sort((a, b) => a.at - b.at);
  for (const sample of all) {
    while (queue[0] && queue[0].at <= sample.t + sample.latencyMs) queue.shift()?.deliver();
    threads[sample.user < 2 ? 0 : 1]?.sample(sample);
  }
  while (queue.length > 0) queue.shift()?.deliver();
  for (const thread of threads) thread.flushAll();
  return mergeRecordings(recorders.map((r) => r.finish(3200)));
}

/** Two threads whose recorders take events and samples as they come, without watermarks. */
function twoNaiveThreads(all: Sample[]): Recording {
  const recorders = [new Recorder(options), new Recorder(options)];
  const pending = [...events];
  for (const sample of all) {
    while (pending[0] && pending[0].t + DELAY_MS <= sample.t + sample.latencyMs) {
      const event = pending.shift() as DeployEvent;
      for (const recorder of recorders) recorder.event(event);
    }
    recorders[sample.user < 2 ? 0 : 1]?.record(sample);
  }
  return mergeRecordings(recorders.map((r) => r.finish(3200)));
}

const figures = (recording: Recording) => {
  const { meanResponseMs, ...rest } = trialMetrics(recording);
  return {
    ...rest,
    meanResponseMs: meanResponseMs.toFixed(9),
    expected: recording.alternateLatency?.expectedIntervalMs?.toFixed(9),
  };
};

describe('recording in generator threads that hear of the deploy late', () => {
  const all = samples();
  const single = oneThread(all);

  it('gives exactly the figures of one thread: phases, threshold, disruption, corrected view', () => {
    const merged = twoThreads(all);
    expect(merged.disruption).toEqual(single.disruption);
    expect(merged.disruption.thresholdMs).toBeGreaterThan(100);
    expect(figures(merged)).toEqual(figures(single));
  });

  it('differs without the watermark and the pooled baseline (what the test guards against)', () => {
    const naive = twoNaiveThreads(all);
    expect(naive.phases.before.requests).not.toBe(single.phases.before.requests);
    expect(naive.disruption.thresholdMs).not.toBe(single.disruption.thresholdMs);
  });
});
