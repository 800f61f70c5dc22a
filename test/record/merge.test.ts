import { describe, expect, it } from 'vitest';
import { findingsOf } from '../../src/analysis/findings/find.ts';
import { trialMetrics } from '../../src/analysis/trial-metrics.ts';
import { MergeError, mergeRecordings } from '../../src/record/merge.ts';
import { Recorder, type RecorderOptions } from '../../src/record/recorder.ts';
import type { DeployEvent } from '../../src/results/deploy-events.ts';
import type { Histogram } from '../../src/results/histogram.ts';
import type { Recording } from '../../src/results/recording.ts';
import { OPEN_MODEL_USER, type Sample } from '../../src/results/sample.ts';

/**
 * A deterministic trial: 8 users for 6 s, a deploy from 2 s to 4 s during which some requests are
 * refused, some reset on their kept-alive connection, some held long and some answered 503, and a
 * new release after it, some answered 502 by a proxy that names no release. A user's first request,
 * and any after a failure, opens a new connection. Beside them the probe, one request on a new
 * connection every 100 ms, half of them refused from 2.5 s to 3.5 s.
 */
function trialSamples(): Sample[] {
  const samples: Sample[] = [];
  for (let user = 0; user < 8; user++) {
    let t = user * 0.37;
    let connection: 'new' | 'reused' = 'new';
    for (let n = 0; t < 6000; n++) {
      const deploying = t >= 2000 && t < 4000;
      const latencyMs = deploying
        ? 5 + ((n * 7919 + user * 31) % 900)
        : 1 + ((n * 31 + user) % 17) * 0.23;
      const release = t < 3000 ? 'v1' : 'v2';
      const sample: Sample =
        deploying && n % 11 === 0
          ? { user, t, latencyMs: 1, status: 0, error: 'refused', bytes: 0, connection }
          : deploying && (n + user) % 7 === 3 && connection === 'reused'
            ? {
                user,
                t,
                latencyMs: 2,
                status: 0,
                error: 'reset',
                bytes: 0,
                connection,
                lastAnsweredBy: release,
              }
            : deploying && n % 13 === 0
              ? { user, t, latencyMs, status: 503, bytes: 20, release, connection }
              : deploying && n % 17 === 5
                ? { user, t, latencyMs: 4, status: 502, bytes: 20, connection }
                : { user, t, latencyMs, status: 200, bytes: 100, release, connection };
      samples.push(sample);
      connection = sample.status === 0 ? 'new' : 'reused';
      t += sample.latencyMs + 3;
    }
  }
  for (let t = 0, n = 0; t < 6000; t += 100, n++) {
    const probe = { user: OPEN_MODEL_USER, t, connection: 'new' as const, probe: true as const };
    samples.push(
      t >= 2500 && t < 3500 && n % 2 === 0
        ? { ...probe, latencyMs: 1, status: 0, error: 'refused', bytes: 0 }
        : { ...probe, latencyMs: 2, status: 200, bytes: 100, release: t < 3000 ? 'v1' : 'v2' },
    );
  }
  // Recorded in the order the requests ended, as a generator reports them.
  return samples.sort((a, b) => a.t + a.latencyMs - (b.t + b.latencyMs));
}

const trigger: DeployEvent = { t: 2000, phase: 'triggered', detail: 'preboot' };
/** A deploy's marker named v1 as told to stop: its drain is measured from the traffic. */
const stopping: DeployEvent = { t: 2950, phase: 'stopping', instance: 'v1' };
const completed: DeployEvent = { t: 4000, phase: 'completed' };
const options: RecorderOptions = {
  intervalMs: 500,
  slowThresholdMs: 300,
  alternate: { kind: 'corrected', thinkTimeMs: 3 },
};

/** Records the samples that `keep` selects, with the deploy's events at their times. */
function record(
  samples: Sample[],
  keep: (s: Sample) => boolean,
  events: DeployEvent[],
  extra: RecorderOptions = {},
): Recording {
  const recorder = new Recorder({ ...options, ...extra });
  const pending = [...events];
  for (const sample of samples) {
    while (pending[0] && pending[0].t <= sample.t + sample.latencyMs) {
      recorder.event(pending.shift() as DeployEvent);
    }
    if (keep(sample)) recorder.record(sample);
  }
  for (const event of pending) recorder.event(event);
  return recorder.finish(6500);
}

/**
 * A recording as comparable text: histograms as their percentile distribution (a function of their
 * counts alone, whatever their internal layout), sums rounded past floating-point addition order.
 */
function canonical(recording: Recording): string {
  return JSON.stringify(recording, (_key, value) => {
    if (value && typeof value === 'object' && 'outputPercentileDistribution' in value) {
      return (value as Histogram).outputPercentileDistribution(1, 1);
    }
    return typeof value === 'number' ? Number(value.toFixed(6)) : value;
  });
}

/** What a report shows of a recording, with the corrected view's expected interval left out (each
 * generator estimates it from its own baseline). */
function figures(recording: Recording) {
  const { alternateLatency: _, meanResponseMs, ...rest } = trialMetrics(recording);
  return { ...rest, meanResponseMs: meanResponseMs.toFixed(9) };
}

describe('merging recordings of one trial', () => {
  const samples = trialSamples();
  const single = record(samples, () => true, [trigger, stopping, completed]);
  // The probe goes with the first share, as the first worker thread or shard sends it.
  const byUsers = (users: number[]) => (s: Sample) =>
    s.probe ? users.includes(0) : users.includes(s.user);
  const sent = samples.filter((s) => !s.probe).length;

  it('gives the figures of one generator, whichever way the users were split', () => {
    for (const split of [
      [[0, 1, 2, 3, 4, 5, 6, 7]],
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
      [
        [0, 5],
        [1, 6],
        [2, 7],
        [3, 4],
      ],
    ]) {
      const parts = split.map((users) =>
        record(samples, byUsers(users), [trigger, stopping, completed]),
      );
      const merged = mergeRecordings(parts);
      expect(figures(merged)).toEqual(figures(single));
      expect(merged.overall.requests).toBe(sent);
      expect(merged.intervals.map((b) => b.requests)).toEqual(
        single.intervals.map((b) => b.requests),
      );
      expect(merged.intervals.map((b) => b.latency.getValueAtPercentile(99))).toEqual(
        single.intervals.map((b) => b.latency.getValueAtPercentile(99)),
      );
      expect(merged.longest).toEqual(single.longest);
      expect(merged.disruption).toEqual(single.disruption);
      expect(merged.instances).toEqual(single.instances);
      // Each kind of connection's figures, and so the findings, exact as well.
      expect(merged.byConnection).toEqual(single.byConnection);
      expect(findingsOf(merged)).toEqual(findingsOf(single));
      expect(merged.drains).toEqual(single.drains);
    }
    expect(single.byConnection?.reused?.errors.reset).toBeGreaterThan(0);
    expect(single.drains?.[0]).toMatchObject({ instance: 'v1', toldAt: 2950 });
    expect(single.drains?.[0]?.inFlight).toBeGreaterThan(0);
    expect(single.byConnection?.new?.probes).toBe(samples.length - sent);
    // Not an empty list compared with an empty one.
    expect(findingsOf(single).map((f) => f.id)).toEqual(
      expect.arrayContaining(['kept-alive-cut', 'routed-to-stopped', 'proxy-without-upstream']),
    );
  });

  it('is associative: a merge of merges equals one merge', () => {
    const parts = [
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ].map((users) => record(samples, byUsers(users), [trigger, stopping, completed]));
    const [a, b, c, d] = parts as [Recording, Recording, Recording, Recording];
    const once = canonical(mergeRecordings(parts));
    const left = mergeRecordings([mergeRecordings([mergeRecordings([a, b]), c]), d]);
    const pairs = mergeRecordings([mergeRecordings([a, b]), mergeRecordings([c, d])]);
    expect(canonical(left)).toBe(once);
    expect(canonical(pairs)).toBe(once);
  });

  it('splits a follower shard into during and after by the deploy end it did not see', () => {
    const deployer = record(samples, byUsers([0, 1, 2, 3]), [trigger, stopping, completed]);
    const follower = record(samples, byUsers([4, 5, 6, 7]), [trigger], { follower: true });
    // The follower alone: everything after the trigger is 'during'.
    expect(follower.phases.after.requests).toBe(0);
    expect(follower.followerTails?.reduce((n, b) => n + b.requests, 0)).toBe(
      follower.phases.during.requests,
    );
    const merged = mergeRecordings([follower, deployer]);
    expect(merged.followerTails).toBeUndefined();
    expect(merged.timeline).toEqual([trigger, stopping, completed]);
    // The deploy ended on an interval boundary (4000 ms, 500 ms intervals): the split is exact.
    for (const phase of ['before', 'during', 'after'] as const) {
      expect(merged.phases[phase].requests).toBe(single.phases[phase].requests);
      expect(merged.phases[phase].latency.getValueAtPercentile(99)).toBe(
        single.phases[phase].latency.getValueAtPercentile(99),
      );
    }
    // Each kind of connection's figures, and the findings, as one generator's (two shards merged).
    expect(merged.byConnection).toEqual(single.byConnection);
    expect(findingsOf(merged)).toEqual(findingsOf(single));
    // Followers merged first keep their tails until a merge with the deployer: still associative.
    const other = record(samples, byUsers([]), [trigger], { follower: true });
    const viaFollowers = mergeRecordings([mergeRecordings([follower, other]), deployer]);
    expect(canonical(viaFollowers)).toBe(canonical(merged));
  });

  it("splits a follower's endpoints as well, each as a single generator would have", () => {
    const withEndpoints = samples.map((s) => ({ ...s, endpoint: s.user % 2 }));
    const endpoints = { endpoints: ['home', 'api'] };
    const alone = record(withEndpoints, () => true, [trigger, stopping, completed], endpoints);
    const deployer = record(
      withEndpoints,
      byUsers([0, 1, 2, 3]),
      [trigger, stopping, completed],
      endpoints,
    );
    const follower = record(withEndpoints, byUsers([4, 5, 6, 7]), [trigger], {
      ...endpoints,
      follower: true,
    });
    expect(follower.endpoints?.[0]?.phases.after.requests).toBe(0);
    const merged = mergeRecordings([follower, deployer]);
    for (const [i, endpoint] of (alone.endpoints ?? []).entries()) {
      const mergedEndpoint = merged.endpoints?.[i];
      expect(mergedEndpoint?.followerTails).toBeUndefined();
      for (const phase of ['before', 'during', 'after'] as const) {
        expect(mergedEndpoint?.phases[phase].requests).toBe(endpoint.phases[phase].requests);
        expect(mergedEndpoint?.phases[phase].failures).toBe(endpoint.phases[phase].failures);
      }
    }
    expect(alone.endpoints?.[0]?.phases.after.requests).toBeGreaterThan(0);
  });

  it('joins disruption spans that touch across parts, as one bitmap would', () => {
    const parts = [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ].map((users) => record(samples, byUsers(users), [trigger, stopping, completed]));
    const [a, b] = parts as [Recording, Recording];
    a.disruption = { ...a.disruption, ms: 100, spans: [[1000, 1100]] };
    b.disruption = {
      ...b.disruption,
      ms: 150,
      spans: [
        [1100, 1200],
        [1500, 1550],
      ],
    };
    expect(mergeRecordings([a, b]).disruption).toMatchObject({
      ms: 250,
      spans: [
        [1000, 1200],
        [1500, 1550],
      ],
    });
  });

  it('keeps the earliest example of each check failure, whichever part saw it, with every count', () => {
    const parts = [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ].map((users) => record(samples, byUsers(users), [trigger, stopping, completed]));
    const [a, b] = parts as [Recording, Recording];
    const example = { check: 'status 2xx', status: 503, body: 'busy' };
    a.checkFailures = [{ ...example, body: 'later', t: 2500, count: 4 }];
    b.checkFailures = [{ ...example, body: 'first', t: 2100, count: 3 }];
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      expect(mergeRecordings(order).checkFailures).toEqual([
        { ...example, body: 'first', t: 2100, count: 7 },
      ]);
    }
  });

  it('refuses recordings with different intervals', () => {
    const a = record(samples, byUsers([0]), [trigger, stopping, completed]);
    const b = record(samples, byUsers([1]), [trigger, stopping, completed], { intervalMs: 1000 });
    expect(() => mergeRecordings([a, b])).toThrow(MergeError);
  });
});
