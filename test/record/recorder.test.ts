import { describe, expect, it } from 'vitest';
import { trialMetrics } from '../../src/analysis/trial-metrics.ts';
import { Recorder } from '../../src/record/recorder.ts';
import {
  emptyBucket,
  MAX_RELEASES,
  mergeBucket,
  OTHER_RELEASES,
} from '../../src/results/bucket.ts';
import { decodeRecording, encodeRecording } from '../../src/results/codec.ts';
import { createLatencyHistogram, msToMicros } from '../../src/results/histogram.ts';
import type { Recording } from '../../src/results/recording.ts';
import { OPEN_MODEL_USER, type Sample } from '../../src/results/sample.ts';

const ok = (user: number, t: number, latencyMs: number, release: string): Sample => ({
  user,
  t,
  latencyMs,
  status: 200,
  release,
  bytes: 100,
});
const refused = (user: number, t: number, latencyMs: number): Sample => ({
  user,
  t,
  latencyMs,
  status: 0,
  error: 'refused',
  bytes: 0,
});
const unavailable = (user: number, t: number, latencyMs: number): Sample => ({
  user,
  t,
  latencyMs,
  status: 503,
  bytes: 20,
});

/**
 * Two users through a deploy triggered at 100 ms and completed at 1100 ms:
 * user 0 is refused twice and gets through at 300 ms; user 1 is held 400 ms and gets a 503, then
 * succeeds at 580 ms; after the deploy user 0 gets a 503 and the trial ends before it recovers.
 */
function recordScript(): Recording {
  const recorder = new Recorder({ intervalMs: 1000 });
  recorder.record(ok(0, 0, 10, 'v1'));
  recorder.record(ok(1, 0, 20, 'v1'));
  recorder.record(ok(0, 10, 10, 'v1'));
  recorder.event({ t: 100, phase: 'triggered' });
  recorder.record(refused(0, 100, 1));
  recorder.record(refused(0, 176, 1));
  recorder.record(ok(0, 252, 48, 'v2'));
  recorder.record(unavailable(1, 150, 400));
  recorder.record(ok(1, 560, 20, 'v2'));
  recorder.event({ t: 1100, phase: 'completed' });
  recorder.record(unavailable(0, 1200, 5));
  return recorder.finish(1500);
}

describe('Recorder and trial metrics', () => {
  const metrics = trialMetrics(recordScript());

  it('counts requests, failures by kind and availability', () => {
    expect(metrics.requests).toBe(9);
    expect(metrics.successes).toBe(5);
    expect(metrics.errors).toBe(4);
    expect(metrics.errorsByKind).toEqual({
      refused: 2,
      reset: 0,
      timeout: 0,
      other: 0,
      check: 0,
      http5xx: 2,
    });
    expect(metrics.availability).toBeCloseTo((100 * 5) / 9, 10);
  });

  it('keeps the honest longest transaction beside the siege-compatible one', () => {
    expect(metrics.longestTransactionMs).toBe(400);
    expect(metrics.siegeLongestTransactionMs).toBe(48);
    expect(metrics.shortestTransactionMs).toBe(10);
  });

  it('measures the longest user wait from the first failure to the next success', () => {
    expect(metrics.longestUserWaitMs).toBe(430);
    expect(recordScript().longestUserWait).toEqual({
      ms: 430,
      user: 1,
      startMs: 150,
      resolved: true,
    });
  });

  it('adds up disruption as the union of failing and slow stretches', () => {
    // [100, 580) from both users overlapping, plus [1200, 1205) at the end.
    expect(metrics.disruptionMs).toBe(485);
    expect(metrics.impactWindowMs).toBe(1105);
    // Baseline p99 is 20 ms: 5 × 20 ms = 100 ms.
    expect(metrics.slowThresholdMs).toBeCloseTo(100, 0);
    expect(recordScript().disruption.spans).toEqual([
      [100, 580],
      [1200, 1205],
    ]);
  });

  it('sorts requests into phases by whether they overlap the deploy', () => {
    expect(metrics.latency.before.count).toBe(3);
    expect(metrics.latency.during.count).toBe(5);
    expect(metrics.latency.after.count).toBe(1);
    expect(metrics.latency.before.p50).toBeCloseTo(10, 1);
    expect(metrics.latency.before.max).toBe(20);
    expect(metrics.latency.during.max).toBe(400);
  });

  it('derives siege-style rates and the deploy duration', () => {
    expect(metrics.meanResponseMs).toBeCloseTo(21.6, 10);
    expect(metrics.transactionRate).toBeCloseTo(5 / 1.5, 10);
    expect(metrics.deployDurationMs).toBe(1000);
    expect(metrics.elapsedMs).toBe(1500);
  });

  it('keeps per-interval counts and the release that answered', () => {
    const recording = recordScript();
    expect(recording.intervals.map((i) => i.requests)).toEqual([8, 1]);
    expect(recording.intervals[0]?.releases).toEqual({ v1: 3, v2: 2 });
    expect(recording.intervals[1]?.statuses).toEqual({ 503: 1 });
  });

  it('keeps the longest transactions in order, with who and when', () => {
    const { longest } = recordScript();
    expect(longest.map((l) => l.latencyMs)).toEqual([400, 48, 20, 20, 10, 10, 5, 1, 1]);
    expect(longest[0]).toEqual({ t: 150, latencyMs: 400, status: 503, user: 1 });
  });

  it('keeps only the 10 longest', () => {
    const recorder = new Recorder();
    const latencies = [5, 1, 9, 3, 7, 2, 12, 4, 8, 11, 6, 10];
    for (const latency of latencies) recorder.record(ok(0, latency, latency, 'v1'));
    expect(recorder.finish(100).longest.map((l) => l.latencyMs)).toEqual([
      12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
    ]);
  });

  it('counts a user still failing at the end as an unresolved wait', () => {
    const recorder = new Recorder();
    recorder.record(ok(0, 0, 5, 'v1'));
    recorder.event({ t: 10, phase: 'triggered' });
    recorder.record(refused(0, 10, 1));
    recorder.record(refused(0, 90, 1));
    const recording = recorder.finish(200);
    expect(recording.longestUserWait).toEqual({ ms: 81, user: 0, startMs: 10, resolved: false });
    expect(recording.disruption.ms).toBe(81);
  });

  it('uses a slow threshold set in the scenario instead of the baseline', () => {
    const recorder = new Recorder({ slowThresholdMs: 30 });
    recorder.record(ok(0, 0, 10, 'v1'));
    recorder.event({ t: 20, phase: 'triggered' });
    recorder.record(ok(0, 20, 35, 'v1'));
    recorder.record(ok(0, 60, 25, 'v1'));
    const { disruption } = recorder.finish(100);
    expect(disruption).toMatchObject({ ms: 35, thresholdMs: 30, thresholdSource: 'scenario' });
  });

  it('survives a JSON round trip with the same figures', () => {
    const recording = recordScript();
    const decoded = decodeRecording(JSON.parse(JSON.stringify(encodeRecording(recording))));
    expect(trialMetrics(decoded)).toEqual(trialMetrics(recording));
    expect(decoded.intervals[0]?.latency.totalCount).toBe(8);
  });
});

describe('the second view of latency', () => {
  it('corrects a closed model for coordinated omission from the baseline', () => {
    const recorder = new Recorder({ alternate: { kind: 'corrected', thinkTimeMs: 0 } });
    for (let i = 0; i < 10; i++) recorder.record(ok(0, i * 10, 10, 'v1'));
    recorder.event({ t: 100, phase: 'triggered' });
    // One user stalled for a second: it would have sent a request every 10 ms meanwhile.
    recorder.record(ok(0, 100, 1000, 'v2'));
    const recording = recorder.finish(1200);
    const metrics = trialMetrics(recording);
    expect(recording.alternateLatency?.expectedIntervalMs).toBeCloseTo(10, 1);
    // 1 measured + 98 or 99 synthetic requests, every ~10 ms of the stall (the baseline mean is 10.0x ms).
    expect(recording.alternateLatency?.phases.during.totalCount).toBeGreaterThanOrEqual(99);
    expect(recording.alternateLatency?.phases.during.totalCount).toBeLessThanOrEqual(100);
    expect(metrics.latency.during.count).toBe(1);
    expect(metrics.alternateLatency?.kind).toBe('corrected');
    // The stall's synthetic requests spread evenly from 10 ms to 1 s: their median is half a second.
    expect(metrics.alternateLatency?.during.p50).toBeGreaterThan(480);
    expect(metrics.alternateLatency?.during.p50).toBeLessThan(520);
    expect(metrics.latency.overall.p50).toBeCloseTo(10, 0);
    expect(metrics.alternateLatency?.overall.p50).toBeGreaterThan(400);
  });

  it('keeps the open model service time beside the latency from the intended start', () => {
    const recorder = new Recorder({ alternate: { kind: 'service' } });
    recorder.record({ user: -1, t: 0, latencyMs: 30, serviceMs: 5, status: 200, bytes: 1 });
    recorder.record({ user: -1, t: 10, latencyMs: 25, serviceMs: 5, status: 200, bytes: 1 });
    recorder.recordDropped(20);
    const recording = recorder.finish(100);
    const metrics = trialMetrics(recording);
    expect(metrics.latency.overall.max).toBe(30);
    expect(metrics.alternateLatency?.overall.max).toBeCloseTo(5, 1);
    expect(metrics.dropped).toBe(1);
    expect(metrics.requests).toBe(2);
    // Arrivals stand alone: no user chains them.
    expect(metrics.longestUserWaitMs).toBe(30);
    const decoded = decodeRecording(JSON.parse(JSON.stringify(encodeRecording(recording))));
    expect(trialMetrics(decoded)).toEqual(metrics);
  });

  it('packs each interval when it closes without changing a count, late samples included', () => {
    const recorder = new Recorder({ intervalMs: 100 });
    const reference = Array.from({ length: 5 }, () => createLatencyHistogram('packed'));
    const record = (t: number, latencyMs: number) => {
      recorder.record(ok(0, t, latencyMs, 'v1'));
      reference[Math.floor(t / 100)]?.recordValue(msToMicros(latencyMs));
    };
    for (let t = 0; t < 500; t += 7) record(t, 1 + (t % 13) * 3.7);
    // Started in interval 0, ended in interval 4: recorded after interval 0 was packed.
    record(5, 420);
    const recording = recorder.finish(500);
    expect(recording.intervals).toHaveLength(5);
    for (const [i, bucket] of recording.intervals.entries()) {
      expect(bucket.latency.totalCount).toBe(reference[i]?.totalCount);
      for (const p of [50, 90, 99, 100]) {
        expect(bucket.latency.getValueAtPercentile(p)).toBe(reference[i]?.getValueAtPercentile(p));
      }
    }
    // The overall figures are the sum of the phases.
    expect(recording.overall.requests).toBe(
      recording.intervals.reduce((sum, b) => sum + b.requests, 0),
    );
    expect(recording.overall.latency.maxValue).toBe(msToMicros(420));
  });
});

describe('instances seen by the load', () => {
  it('names each by its instance header, else its release, with its responses by end interval', () => {
    const recorder = new Recorder({ intervalMs: 100 });
    const answered = (
      t: number,
      latencyMs: number,
      release?: string,
      instance?: string,
    ): Sample => ({
      user: 0,
      t,
      latencyMs,
      status: 200,
      bytes: 1,
      ...(release ? { release } : {}),
      ...(instance ? { instance } : {}),
    });
    recorder.record(answered(0, 10, 'v1', 'pod-a'));
    recorder.record(answered(10, 150, 'v1', 'pod-a')); // ends at 160: interval 1
    recorder.record(answered(160, 5, 'v2', 'pod-b'));
    recorder.record(refused(0, 165, 1)); // no response: nobody's
    recorder.record(answered(166, 4, 'v3')); // no instance header: the release names it
    recorder.record(answered(170, 40, 'v2', '__proto__')); // a foreign string is just a name
    const { instances } = recorder.finish(300);
    expect(instances).toEqual([
      { id: 'pod-a', release: 'v1', firstMs: 10, lastMs: 160, requests: 2, perInterval: [1, 1] },
      { id: 'pod-b', release: 'v2', firstMs: 165, lastMs: 165, requests: 1, perInterval: [0, 1] },
      { id: 'v3', release: 'v3', firstMs: 170, lastMs: 170, requests: 1, perInterval: [0, 1] },
      {
        id: '__proto__',
        release: 'v2',
        firstMs: 210,
        lastMs: 210,
        requests: 1,
        perInterval: [0, 0, 1],
      },
    ]);
  });
});

describe('releases named by the target', () => {
  it('counts at most MAX_RELEASES by name and the rest together, merges included', () => {
    const recorder = new Recorder({ intervalMs: 1000 });
    const releases = MAX_RELEASES + 50;
    for (let i = 0; i < releases; i++) recorder.record(ok(0, i, 1, `r${i}`));
    recorder.record(ok(0, 1, 1, 'r0'));
    const recording = recorder.finish(1000);
    const counts = recording.overall.releases;
    expect(Object.keys(counts)).toHaveLength(MAX_RELEASES + 1);
    expect(counts.r0).toBe(2);
    expect(counts[OTHER_RELEASES]).toBe(50);
    // Adding two recordings keeps the bound.
    const both = emptyBucket();
    mergeBucket(both, recording.overall);
    mergeBucket(both, decodeRecording(encodeRecording(recording)).overall);
    expect(Object.keys(both.releases)).toHaveLength(MAX_RELEASES + 1);
    expect(Object.values(both.releases).reduce((a, b) => a + b, 0)).toBe(2 * (releases + 1));
  });
});

describe('boundaries a change could move unnoticed', () => {
  it('puts a request that straddles the trigger in the deploy, not the baseline', () => {
    const recorder = new Recorder({ intervalMs: 1000 });
    recorder.record(ok(0, 0, 10, 'v1'));
    recorder.event({ t: 1000, phase: 'triggered' });
    // Started 100 ms before the trigger, answered 100 ms after it: users felt it during the deploy.
    recorder.record(ok(1, 900, 200, 'v1'));
    recorder.event({ t: 1500, phase: 'completed' });
    const { phases } = recorder.finish(2000);
    expect(phases.before.requests).toBe(1);
    expect(phases.during.requests).toBe(1);
    expect(phases.during.maxMs).toBe(200);
  });

  it('counts a request as slow only above the threshold, not at it: a user’s and an arrival’s', () => {
    const disruptionOf = (latencyMs: number, user: number) => {
      const recorder = new Recorder({ intervalMs: 1000, slowThresholdMs: 100 });
      recorder.event({ t: 0, phase: 'triggered' });
      recorder.record(ok(user, 10, latencyMs, 'v1'));
      return recorder.finish(1000).disruption.ms;
    };
    for (const user of [0, OPEN_MODEL_USER]) {
      expect(disruptionOf(100, user)).toBe(0);
      expect(disruptionOf(100.5, user)).toBeGreaterThanOrEqual(100);
    }
  });
});

describe('which endpoints the deploy hurt', () => {
  it('an endpoint failing more after the trigger than before; not one broken all along, not one unseen since', () => {
    const recorder = new Recorder({ endpoints: ['broken', 'asset', 'rare'], slowThresholdMs: 500 });
    const send = (endpoint: number, t: number, status: number) =>
      recorder.record({ user: endpoint, t, latencyMs: 2, status, endpoint, bytes: 10 });
    for (let t = 0; t < 100; t += 10) {
      send(0, t, t % 20 === 0 ? 503 : 200); // half fail, before as after
      send(1, t, 200);
    }
    send(2, 50, 200);
    recorder.event({ t: 100, phase: 'triggered' });
    recorder.event({ t: 200, phase: 'completed' });
    // After the switch: the asset fails (its new hash is missing), the broken one as before.
    for (let t = 210; t < 400; t += 10) {
      send(0, t, t % 20 === 0 ? 503 : 200);
      send(1, t, 503);
    }
    const verdicts = Object.fromEntries(
      (trialMetrics(recorder.finish(400)).endpoints ?? []).map((e) => [e.name, e.hurt]),
    );
    expect(verdicts).toEqual({ broken: false, asset: true, rare: undefined });
  });
});

describe("the probe's requests", () => {
  it('count only in their kind of connection: every figure of the users stays theirs', () => {
    const users = new Recorder();
    const withProbe = new Recorder();
    const traffic: Sample[] = [
      { ...ok(0, 0, 10, 'v1'), connection: 'new' },
      { ...ok(0, 20, 10, 'v1'), connection: 'reused' },
      { ...refused(0, 40, 3), connection: 'reused' },
    ];
    const probe: Sample[] = [
      { ...ok(OPEN_MODEL_USER, 5, 900, 'v2'), connection: 'new', probe: true },
      { ...refused(OPEN_MODEL_USER, 205, 1), connection: 'new', probe: true },
    ];
    for (const sample of traffic) {
      users.record(sample);
      withProbe.record(sample);
    }
    for (const sample of probe) withProbe.record(sample);
    const alone = users.finish(1000);
    const both = withProbe.finish(1000);
    const { byConnection: aloneKinds, ...aloneRest } = alone;
    const { byConnection: bothKinds, ...bothRest } = both;
    expect(bothRest).toEqual(aloneRest);
    expect(bothKinds?.reused).toEqual(aloneKinds?.reused);
    expect(aloneKinds?.new).toMatchObject({ requests: 1, probes: 0, failures: 0 });
    expect(bothKinds?.new).toMatchObject({
      requests: 3,
      probes: 2,
      failures: 1,
      longestMs: 900,
      firstFailureMs: 205,
    });
  });
});
