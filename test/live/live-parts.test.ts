import { describe, expect, it } from 'vitest';
import { parseGate } from '../../src/gates/parse.ts';
import { parseServeAddress } from '../../src/live/address.ts';
import { judgeSoFar, type RunningFigures } from '../../src/live/gates.ts';
import { ShareWindow } from '../../src/live/shares.ts';
import {
  combineProgress,
  failedByEndpoint,
  LATENCY_BOUNDS_MS,
  LoadCounters,
  labelledIndex,
  OUTCOMES,
} from '../../src/measured-load/counters.ts';
import { LiveSeries, SeriesReporter } from '../../src/measured-load/live-series.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { Sample } from '../../src/results/sample.ts';

const sample = (t: number, latencyMs: number, extra: Partial<Sample> = {}): Sample => ({
  user: 0,
  t,
  latencyMs,
  status: 200,
  bytes: 10,
  ...extra,
});

describe('the traffic shares of the last seconds', () => {
  it('shares the responses of the window only: an instance that stopped answering drops out', () => {
    const window = new ShareWindow(2000);
    window.observe(0, 0, [['a', 0]]);
    window.observe(1000, 100, [['a', 100]]);
    window.observe(2000, 200, [
      ['a', 150],
      ['b', 50],
    ]);
    expect(Object.fromEntries(window.shares())).toEqual({ a: 0.75, b: 0.25 });
    // Two seconds later a answered nothing more: the window no longer holds its answers.
    window.observe(3000, 300, [
      ['a', 150],
      ['b', 150],
    ]);
    window.observe(4000, 400, [
      ['a', 150],
      ['b', 250],
    ]);
    expect(Object.fromEntries(window.shares())).toEqual({ a: 0, b: 1 });
    expect(window.answeredAt('a')).toBe(2000);
  });

  it('measures the rate over the last 0.6 s: a stall reads 0', () => {
    const window = new ShareWindow(2000);
    expect(window.rate()).toBeUndefined();
    for (let at = 0; at <= 1000; at += 250) window.observe(at, at, []);
    expect(window.rate()).toBe(1000);
    window.observe(1250, 1000, []);
    window.observe(1500, 1000, []);
    window.observe(1750, 1000, []);
    expect(window.rate()).toBe(0);
  });
});

describe('the load counters a live view reads', () => {
  it('counts by endpoint, outcome and connection, and latency into the bounds', () => {
    const counters = new LoadCounters(2);
    counters.record(sample(0, 3, { connection: 'new' }));
    counters.record(sample(0, 700, { connection: 'reused', endpoint: 1 }));
    counters.record(sample(0, 1, { status: 0, error: 'refused', endpoint: 1 }));
    counters.record(sample(0, 90_000, { status: 503 }));
    counters.record(sample(0, 5, { probe: true }));
    const progress = counters.progress({ count: 1, oldestStart: 100 }, [], 350);
    expect(progress.requests).toBe(4);
    expect(progress.errors).toBe(2);
    expect(progress.worstMs).toBe(90_000);
    expect(progress.worstOkMs).toBe(700);
    // As old as it was when read: 250 ms.
    expect(progress.oldestInFlightMs).toBe(250);
    const at = (endpoint: number, outcome: (typeof OUTCOMES)[number], connection: number) =>
      progress.labelled[labelledIndex(endpoint, OUTCOMES.indexOf(outcome), connection)];
    expect(at(0, 'ok', 0)).toBe(1);
    expect(at(1, 'ok', 1)).toBe(1);
    expect(at(1, 'refused', 2)).toBe(1);
    expect(at(0, 'server_error', 2)).toBe(1);
    expect(failedByEndpoint(progress.labelled, 2)).toEqual([1, 1]);
    // 3 ms ≤ 5 ms; 1 ms too; 700 ms ≤ 1 s; 90 s above every bound.
    expect(progress.latencyBuckets[0]).toBe(2);
    expect(progress.latencyBuckets[LATENCY_BOUNDS_MS.indexOf(1000)]).toBe(1);
    expect(progress.latencyBuckets[LATENCY_BOUNDS_MS.length]).toBe(1);
    // A thread that read its counters earlier saw its oldest request younger: the oldest age any
    // thread saw is a lower bound, whenever the threads are read together.
    const both = combineProgress([progress, { ...progress, oldestInFlightMs: 40 }]);
    expect(both.oldestInFlightMs).toBe(250);
    expect(both.labelled[labelledIndex(1, OUTCOMES.indexOf('refused'), 2)]).toBe(2);
    expect(both.latencySumMs).toBe(2 * progress.latencySumMs);
  });
});

describe('a running trial series', () => {
  it('reports only what changed, and folds updates of several threads', () => {
    const recorder = new Recorder({ intervalMs: 100 });
    const reporter = new SeriesReporter(recorder);
    recorder.record(sample(10, 20, { instance: 'a' }));
    recorder.record(sample(20, 40, { instance: 'a' }));
    const first = reporter.update();
    expect(first.intervals.map(([i]) => i)).toEqual([0]);
    expect(first.instances).toMatchObject([{ id: 'a', requests: 2, from: 0 }]);
    recorder.record(sample(150, 500, { instance: 'b', status: 503 }));
    const second = reporter.update();
    // Interval 0 did not change; interval 1 took the 503.
    expect(second.intervals.map(([i]) => i)).toEqual([1]);
    expect(second.intervals[0]?.[1]).toMatchObject({ requests: 1, failures: 1, maxMs: 500 });
    expect(second.instances.map((i) => i.id)).toEqual(['b']);

    const series = new LiveSeries();
    series.apply(0, first);
    series.apply(0, second);
    // A second thread's share of the same intervals.
    series.apply(1, {
      intervalMs: 100,
      intervals: [[0, { requests: 3, failures: 0, maxMs: 80, p50Ms: 30, p99Ms: 80 }]],
      instances: [{ id: 'a', firstMs: 5, lastMs: 90, requests: 3, from: 0, perInterval: [3] }],
    });
    const [zero, one] = series.intervals();
    expect(zero).toMatchObject({ requests: 5, failures: 0, maxMs: 80 });
    expect(one).toMatchObject({ requests: 1, failures: 1, maxMs: 500 });
    const a = series.instances().find((i) => i.id === 'a');
    expect(a).toMatchObject({ requests: 5, firstMs: 5, perInterval: [5] });
  });
});

describe('gates judged while the run goes on', () => {
  const names = ['stop-start', 'preboot'];
  const gate = (text: string) => parseGate(text, names, ['api']);
  const running = (figures: Partial<RunningFigures>): RunningFigures => ({
    trial: 1,
    errors: 0,
    errorsByEndpoint: [0],
    longestMs: 10,
    siegeLongestMs: 10,
    userWaitMs: 10,
    ...figures,
  });
  const judge = (text: string, figures: Partial<RunningFigures>) =>
    judgeSoFar([gate(text)], [{ name: 'preboot', ended: [], running: running(figures) }], ['api']);

  it('fails for good what growth cannot undo: a failed request, a wait already too long', () => {
    expect(judge('preboot.errors == 0', { errors: 0 })[0]?.status).toBe('holding');
    expect(judge('preboot.errors == 0', { errors: 1 })[0]).toMatchObject({
      status: 'failed',
      actual: 1,
      threshold: 0,
    });
    // A request in flight for 3 s has made the longest at least 3 s.
    expect(judge('preboot.longest < 2s', { longestMs: 3000 })[0]?.status).toBe('failed');
    expect(judge('preboot.endpoint(api).errors == 0', { errorsByEndpoint: [2] })[0]?.status).toBe(
      'failed',
    );
    expect(judge('preboot.user-wait < 2s', { userWaitMs: 2500 })[0]?.status).toBe('failed');
  });

  it('leaves to the end what partial figures cannot judge', () => {
    expect(judge('preboot.requests >= 100', { errors: 0 })[0]?.status).toBe('pending');
    expect(judge('median(preboot.longest) < 2s', { longestMs: 9000 })[0]?.status).toBe('pending');
    expect(judge('preboot.p99 < 1s', {})[0]?.status).toBe('pending');
    expect(judge('preboot.longest < 0.5 * stop-start.longest', {})[0]?.status).toBe('pending');
    // The latencies are counted for the whole load: another endpoint's slow request must not fail
    // this one's gate.
    expect(judge('preboot.endpoint(api).longest < 2s', { longestMs: 9000 })[0]?.status).toBe(
      'pending',
    );
  });

  it('judges each variant of a * gate by its own figures', () => {
    const judged = judgeSoFar(
      [gate('*.errors == 0')],
      [
        { name: 'stop-start', ended: [] },
        { name: 'preboot', ended: [], running: running({ errors: 4 }) },
      ],
      [],
    );
    expect(judged.map((g) => [g.expression, g.status])).toEqual([
      ['stop-start.errors == 0', 'pending'],
      ['preboot.errors == 0', 'failed'],
    ]);
  });
});

describe('--serve addresses', () => {
  it('reads [HOST:]PORT, 127.0.0.1 unless a host is named', () => {
    expect(parseServeAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseServeAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseServeAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseServeAddress('localhost:80')).toEqual({ host: 'localhost', port: 80 });
    for (const bad of ['', 'abc', '70000', ':80', '::1:80', 'host:', '1.2.3.4:99999'])
      expect(parseServeAddress(bad), bad).toBeUndefined();
  });
});
