import { describe, expect, it } from 'vitest';
import { findingsOf } from '../../src/analysis/findings/find.ts';
import { trialMetrics } from '../../src/analysis/trial-metrics.ts';
import type { TrialResult } from '../../src/results/run.ts';
import type { TrialOutcome } from '../../src/trial/outcome.ts';
import { runTrial } from '../../src/trial/run-trial.ts';
import { liveGroupMembers } from '../helpers/processes.ts';
import { sampleAppScenario } from '../helpers/scenarios.ts';
import { measuredTrial } from '../helpers/trials.ts';

function outcome(loaded: ReturnType<typeof sampleAppScenario>): Promise<TrialOutcome> {
  const variant = loaded.scenario.variants[0];
  if (!variant) throw new Error('no variant');
  return runTrial({ loaded, variant, trial: 1, signal: new AbortController().signal });
}

async function run(loaded: ReturnType<typeof sampleAppScenario>): Promise<TrialResult> {
  return measuredTrial(await outcome(loaded));
}

/** Pids the platform reported in its 'booting' events. */
function bootedPids(result: TrialResult): number[] {
  return result.recording.timeline
    .filter((e) => e.phase === 'booting')
    .map((e) => Number(/pid (\d+)/.exec(e.detail ?? '')?.[1]));
}

describe('the router of the embedded platform', () => {
  it('answers 503 once a request was held for the router timeout, and the user wait shows the outage', async () => {
    const result = await run(
      sampleAppScenario({
        strategy: 'stop-start',
        bootMs: 1500,
        users: 1,
        platform: '    routerTimeout: 400ms',
      }),
    );
    const metrics = trialMetrics(result.recording);
    expect(metrics.errorsByKind.http5xx).toBeGreaterThanOrEqual(2);
    expect(metrics.errors).toBe(metrics.errorsByKind.http5xx);
    // Each failed request was held for the router timeout, not for the whole 1.5 s boot.
    expect(metrics.longestTransactionMs).toBeGreaterThanOrEqual(400);
    expect(metrics.longestTransactionMs).toBeLessThan(1500);
    // The user kept retrying through the whole boot.
    expect(metrics.longestUserWaitMs).toBeGreaterThanOrEqual(1400);
    expect(metrics.disruptionMs).toBeGreaterThanOrEqual(1400);
  });

  it('answers 503 for a request that the stop cuts off after the grace period', async () => {
    // Each request takes 5 s: the one the old process serves when the stop comes (about 1.5 s in,
    // later on a busy machine) is still far from done when the 200 ms grace ends. (With 2 s of
    // work, a boot slowed by 0.3 s let it finish within the grace.)
    const loaded = sampleAppScenario({
      strategy: 'preboot',
      bootMs: 300,
      users: 1,
      // The user's one request in flight at the stop, without the probe's beside it.
      noProbe: true,
      extraEnv: { WORK_MS: '5000' },
      platform: '    stopGrace: 200ms',
      timeline: '{ warmup: 1s, cooldown: 500ms }',
    });
    const result = await run(loaded);
    const cut = result.recording.longest.filter((l) => l.status === 503);
    expect(cut).toHaveLength(1);
    // Cut when SIGKILL came, before its 5 s of work were done.
    expect(cut[0]?.latencyMs).toBeLessThan(5000);
    const stopped = result.recording.timeline.find((e) => e.phase === 'stopped');
    expect(stopped?.detail).toMatch(/signal SIGKILL/);
    // The router's own account of the old process's drain: the one request it was serving, cut.
    const old = result.recording.lifecycle?.find((l) => l.id === 'web.1@v1');
    expect(old?.drain).toEqual({ inFlight: 1, answered: 0, cut: 1, gone: 0, answeredForMs: null });
    // And the finding that explains the user's 503: the stop cut the request it was serving.
    const [finding] = findingsOf(result.recording).filter((f) => f.id === 'in-flight-cut');
    expect(finding?.evidence).toMatchObject({ instances: 'web.1@v1', inFlight: 1, cut: 1 });
    expect(finding?.seen).toMatch(
      /^web\.1@v1 was serving 1 request when it was taken out of rotation \([\d.]+ m?s after the trigger\): 0 answered, 1 cut; it ended with signal SIGKILL; its stop took [\d.]+ m?s\.$/,
    );
  });

  it('lets the requests in flight finish within the grace period, and says so in the drain', async () => {
    // Each request takes 800 ms: the old process is serving both users' when it is unrouted.
    const result = await run(
      sampleAppScenario({
        strategy: 'preboot',
        bootMs: 300,
        users: 2,
        extraEnv: { WORK_MS: '800' },
        timeline: '{ warmup: 1s, cooldown: 1s }',
      }),
    );
    const old = result.recording.lifecycle?.find((l) => l.id === 'web.1@v1');
    const drain = old?.drain;
    expect(drain?.inFlight).toBeGreaterThan(0);
    expect(drain).toMatchObject({ cut: 0, gone: 0, answered: drain?.inFlight });
    // It kept answering after it was taken out of rotation.
    expect(drain?.answeredForMs).toBeGreaterThan(0);
    expect(trialMetrics(result.recording).errors).toBe(0);
    expect(findingsOf(result.recording).map((f) => f.id)).not.toContain('in-flight-cut');
  });

  it('stops every app process it started once the trial is over', async () => {
    const result = await run(sampleAppScenario({ strategy: 'preboot', bootMs: 200, processes: 2 }));
    const pids = bootedPids(result);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(liveGroupMembers(pid)).toEqual([]);
  });

  it('fails with a clear reason when the app never comes up', async () => {
    const loaded = sampleAppScenario({
      strategy: 'preboot',
      bootMs: 10_000,
      platform: '    bootTimeout: 500ms',
    });
    expect(await outcome(loaded)).toEqual({
      kind: 'stopped',
      reason: expect.stringMatching(
        /^the target did not come up: web\.1@v1 did not come up within 500 ms/,
      ),
    });
  });

  it('fails with the app output when the app exits before it is up', async () => {
    const loaded = sampleAppScenario({
      strategy: 'preboot',
      bootMs: 0,
      extraEnv: { WORK_MS: 'lots' },
    });
    await expect(run(loaded)).rejects.toThrow(
      /exited \(code 2\) before it came up; the last lines of its stderr:\n( {4}.*\n)* {4}sample app: WORK_MS must be/,
    );
  });
});
