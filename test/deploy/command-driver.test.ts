import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialMetrics } from '../../src/analysis/trial-metrics.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { runTrial, type TrialResult } from '../../src/trial/run-trial.ts';
import { processesWithEnv } from '../helpers/processes.ts';
import { REPO } from '../helpers/scenarios.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((_req, res) =>
    res.writeHead(200, { 'x-release': 'ext' }).end('ok'),
  );
});
afterAll(() => server.close());

async function deployWith(command: string, deployTimeout = '10s'): Promise<TrialResult> {
  const scenario = parseScenario(
    `name: external
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 300ms, cooldown: 300ms, deployTimeout: ${deployTimeout} }
variants: [{ name: cmd, command: ${JSON.stringify(command)} }]
`,
    'external.yaml',
    {},
  );
  const variant = scenario.variants[0];
  if (!variant) throw new Error('no variant');
  return runTrial({
    loaded: { scenario, gates: [], file: 'external.yaml', dir: REPO },
    variant,
    trial: 1,
    signal: new AbortController().signal,
  });
}

describe('an external target deployed by a shell command', () => {
  it('measures through the command and keeps its output, stamped on the trial clock', async () => {
    const result = await deployWith('echo building; sleep 0.3; echo released v42 >&2');
    expect(result.status).toBe('completed');
    expect(result.recording.timeline.map((e) => e.phase)).toEqual([
      'triggered',
      'booting',
      'completed',
    ]);
    expect(result.deployLog.map(({ stream, line }) => ({ stream, line }))).toEqual([
      { stream: 'stdout', line: 'building' },
      { stream: 'stderr', line: 'released v42' },
    ]);
    const [building, released] = result.deployLog;
    expect((released?.t ?? 0) - (building?.t ?? 0)).toBeGreaterThanOrEqual(250);
    const metrics = trialMetrics(result.recording);
    expect(metrics.errors).toBe(0);
    expect(metrics.deployDurationMs).toBeGreaterThanOrEqual(300);
    expect(result.recording.overall.releases).toEqual({ ext: metrics.requests });
  });

  it('fails the trial, keeping the measurements, when the command fails', async () => {
    const result = await deployWith('echo "push rejected" >&2; exit 7');
    expect(result.status).toBe('failed');
    expect(result.failure).toBe('deploy command exited with code 7; last output: push rejected');
    expect(result.recording.timeline.at(-1)).toMatchObject({ phase: 'failed' });
    expect(trialMetrics(result.recording).requests).toBeGreaterThan(0);
  });

  it('fails the trial when the command outlives the deploy timeout, and stops what it started', async () => {
    const marker = randomUUID();
    const result = await deployWith(`DEPLOY_BENCH_TEST_MARKER=${marker} sleep 30 & wait`, '400ms');
    expect(result.status).toBe('failed');
    expect(result.failure).toBe('the deploy did not complete within 400 ms');
    expect(processesWithEnv('DEPLOY_BENCH_TEST_MARKER', marker)).toEqual([]);
  });
});
