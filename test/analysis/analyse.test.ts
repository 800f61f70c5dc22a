import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { RunResults, TrialResult } from '../../src/results/run.ts';
import type { Sample } from '../../src/results/sample.ts';

/** A trial of the given requests (latency in ms; 0 for a refused one), lasting `durationMs`. */
function trial(n: number, latencies: number[], durationMs: number): TrialResult {
  const recorder = new Recorder();
  latencies.forEach((latencyMs, i) => {
    const sample: Sample =
      latencyMs === 0
        ? { user: 0, t: 10 * i, latencyMs: 1, status: 0, error: 'refused', bytes: 0 }
        : { user: 0, t: 10 * i, latencyMs, status: 200, bytes: 0 };
    recorder.record(sample);
  });
  return {
    trial: n,
    status: 'completed',
    startedAt: '',
    recording: recorder.finish(durationMs),
    deployLog: [],
  };
}

function run(trials: TrialResult[]): RunResults {
  return {
    tool: { name: 'deploy-bench', version: '0' },
    startedAt: '',
    machine: { hostname: 'h', platform: 'p', cpus: 1, node: 'v20' },
    scenarioFile: 's.yaml',
    scenario: { name: 's' },
    interrupted: false,
    variants: [{ name: 'a', trials, hookLog: [] }],
  };
}

describe("a variant's totals, as siege's closing block shows them", () => {
  it('adds every trial: requests, availability, mean response and rate over the elapsed time', () => {
    // 3 successes and 1 refusal in 2 s, then 2 successes in 1 s: 5 of 6 in 3 s.
    const [variant] = analyse(
      run([trial(1, [10, 20, 30, 0], 2000), trial(2, [40, 50], 1000)]),
    ).variants;
    const totals = variant?.totals;
    expect(totals?.overall.requests).toBe(6);
    expect(totals?.overall.failures).toBe(1);
    expect(totals?.elapsedMs).toBe(3000);
    expect(totals?.availability).toBeCloseTo((100 * 5) / 6, 10);
    expect(totals?.meanResponseMs).toBeCloseTo(30, 10);
    expect(totals?.transactionRate).toBeCloseTo(5 / 3, 10);
    // The longest wait is the worst trial's: 30 ms of trial 1's success, 50 ms of trial 2's.
    expect(totals?.longestUserWaitMs).toBe(50);
  });

  it('is zero, not NaN, when nothing was sent', () => {
    const totals = analyse(run([trial(1, [], 1000)])).variants[0]?.totals;
    expect(totals).toMatchObject({ availability: 0, meanResponseMs: 0, transactionRate: 0 });
  });
});

describe('a notice for answers that count as successes but are not', () => {
  const answered = (statuses: number[], check = false): TrialResult => {
    const recorder = new Recorder();
    for (const [i, status] of statuses.entries())
      recorder.record({
        user: 0,
        t: 10 * i,
        latencyMs: 1,
        status,
        bytes: 0,
        ...(check ? { error: 'check' as const } : {}),
      });
    return {
      trial: 1,
      status: 'completed',
      startedAt: '',
      recording: recorder.finish(100),
      deployLog: [],
    };
  };

  it('says when a target answered only 4xx, which pass without an expect', () => {
    expect(analyse(run([answered([404, 404, 410])])).notices.onlyClientErrors).toEqual([
      'a: the target never answered 2xx or 3xx (404 × 2, 410 × 1), and a 4xx counts as a success: if it should not, set its expect.status.',
    ]);
  });

  it('says nothing once one request got a 2xx or a 3xx, or when an expect judged them', () => {
    expect(analyse(run([answered([404, 301])])).notices.onlyClientErrors).toEqual([]);
    expect(analyse(run([answered([404, 404], true)])).notices.onlyClientErrors).toEqual([]);
    expect(analyse(run([answered([0, 503])])).notices.onlyClientErrors).toEqual([]);
    // An expect that accepts the 404 on purpose: nothing to say.
    const accepted = { ...run([answered([404, 404])]) };
    accepted.scenario = { name: 's', load: { request: { expect: { status: [404] } } } };
    expect(analyse(accepted).notices.onlyClientErrors).toEqual([]);
  });
});
