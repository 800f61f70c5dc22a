import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trialInstances } from '../../src/analysis/instances.ts';
import { trialMetrics } from '../../src/analysis/trial-metrics.ts';
import type { DeployEvent, DeployPhase } from '../../src/results/deploy-events.ts';
import type { TrialResult } from '../../src/results/run.ts';
import { runTrial } from '../../src/trial/run-trial.ts';
import { boots, lastsThroughABoot, waitsForABoot } from '../helpers/boots.ts';
import { REPO, sampleAppScenario } from '../helpers/scenarios.ts';
import { measuredTrial } from '../helpers/trials.ts';

const BOOT_MS = 1200;

async function deployOnce(strategy: string, processes = 1): Promise<TrialResult> {
  const loaded = sampleAppScenario({ strategy, bootMs: BOOT_MS, processes });
  const variant = loaded.scenario.variants[0];
  if (!variant) throw new Error('no variant');
  return measuredTrial(
    await runTrial({ loaded, variant, trial: 1, signal: new AbortController().signal }),
  );
}

const phases = (timeline: DeployEvent[]) => timeline.map((e) => e.phase);

/**
 * The requests (any that waited for a boot is among the longest kept) and the disruptions that
 * lasted through a whole boot.
 */
function throughABoot(result: TrialResult): { requests: number[][]; disruptions: number[][] } {
  const { timeline, longest, disruption } = result.recording;
  return {
    requests: longest
      .filter((l) => lastsThroughABoot(timeline, l.t, l.t + l.latencyMs))
      .map((l) => [l.t, l.latencyMs]),
    disruptions: disruption.spans.filter(([start, end]) => lastsThroughABoot(timeline, start, end)),
  };
}

const at = (timeline: DeployEvent[], phase: DeployPhase) =>
  timeline.find((e) => e.phase === phase)?.t ?? Number.NaN;

describe('embedded platform strategies deploying the sample app', () => {
  it('stop-start: requests wait in the router for the whole boot, none fails', async () => {
    const result = await deployOnce('stop-start');
    const metrics = trialMetrics(result.recording);
    expect(result.status, result.failure).toBe('completed');
    expect(phases(result.recording.timeline)).toEqual([
      'triggered',
      'stopping',
      'stopped',
      'booting',
      'up',
      'switched',
      'completed',
    ]);
    expect(metrics.errors).toBe(0);
    expect(metrics.longestTransactionMs).toBeGreaterThanOrEqual(0.9 * BOOT_MS);
    expect(metrics.deployDurationMs).toBeGreaterThanOrEqual(BOOT_MS);
    // The users' requests waited in the router for the new process's boot.
    const { timeline, longest } = result.recording;
    expect(longest.filter((l) => waitsForABoot(timeline, l)).length).toBeGreaterThan(0);
    expect(Object.keys(result.recording.overall.releases).sort()).toEqual(['v1', 'v2']);
  });

  it('preboot: traffic moves to the new release once it is up, nobody waits for the boot', async () => {
    const result = await deployOnce('preboot');
    const { timeline } = result.recording;
    const metrics = trialMetrics(result.recording);
    expect(phases(timeline)).toEqual([
      'triggered',
      'booting',
      'up',
      'switched',
      'stopping',
      'stopped',
      'completed',
    ]);
    expect(metrics.errors).toBe(0);
    expect(boots(timeline)).toHaveLength(1);
    expect(throughABoot(result)).toEqual({ requests: [], disruptions: [] });
    // v1 answers through the boot, v2 only once it is up and routed: read from the instances'
    // recorded moments, not from where interval boundaries happen to fall. (v1's last answer may
    // end a moment before v2 is up: every user may be between two requests just then.)
    const [v1, v2] = trialInstances(result.recording);
    expect([v1?.id, v2?.id]).toEqual(['web.1@v1', 'web.1@v2']);
    expect(v1?.lastTrafficAt).toBeGreaterThan(at(timeline, 'booting') + BOOT_MS / 2);
    expect(v1?.lastTrafficAt).toBeLessThan(v2?.lastTrafficAt as number);
    expect(v2?.firstTrafficAt).toBeGreaterThanOrEqual(v2?.routedAt as number);
    expect(v2?.routedAt).toBeLessThanOrEqual(v1?.unroutedAt as number);
  });

  it('rolling: with two processes one always serves, so nothing fails and nobody waits for a boot', async () => {
    const result = await deployOnce('rolling', 2);
    const { timeline } = result.recording;
    const metrics = trialMetrics(result.recording);
    expect(phases(timeline)).toEqual([
      'triggered',
      ...(['stopping', 'stopped', 'booting', 'up', 'switched'] as const),
      ...(['stopping', 'stopped', 'booting', 'up', 'switched'] as const),
      'completed',
    ]);
    expect(timeline.filter((e) => e.phase === 'switched').map((e) => e.detail)).toEqual([
      '1/2 processes on v2',
      '2/2 processes on v2',
    ]);
    expect(metrics.errors).toBe(0);
    expect(boots(timeline)).toHaveLength(2);
    expect(throughABoot(result)).toEqual({ requests: [], disruptions: [] });
    // Both boots happen one after the other.
    expect(metrics.deployDurationMs).toBeGreaterThanOrEqual(2 * BOOT_MS);
  });

  it('a release that crashes on boot fails the deploy; with preboot the old one keeps serving', async () => {
    const loaded = sampleAppScenario({
      strategy: 'preboot',
      bootMs: 300,
      app: path.join(REPO, 'test/fixtures/apps/broken-v2.mjs'),
    });
    const variant = loaded.scenario.variants[0];
    if (!variant) throw new Error('no variant');
    const result = measuredTrial(
      await runTrial({ loaded, variant, trial: 1, signal: new AbortController().signal }),
    );
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(
      /web\.1@v2 exited \(code 1\) before it came up; the last lines of its stderr:\n( {4}.*\n)* {4}v2: cannot connect/,
    );
    expect(phases(result.recording.timeline)).toEqual(['triggered', 'booting', 'failed']);
    const metrics = trialMetrics(result.recording);
    expect(metrics.errors).toBe(0);
    expect(Object.keys(result.recording.overall.releases)).toEqual(['v1']);
  });
});
