import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// The package's own name, as a user's script imports it.
import {
  exitCodeOf,
  findingsOf,
  type LiveLoad,
  runScenario,
  ScenarioError,
  trialMetrics,
} from 'deploy-bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer } from './helpers/servers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((_req, res) => res.end('ok'));
});
afterAll(() => server.close());

/** A scenario of one short trial against the test server, in a folder of its own. */
function shortScenario(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-api-'));
  const file = path.join(dir, 'api.yaml');
  writeFileSync(
    file,
    `name: api
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 200ms, cooldown: 200ms }
variants: [{ name: a, command: "true" }]
`,
  );
  return { dir, file };
}

describe("import { runScenario } from 'deploy-bench'", () => {
  it('runs a scenario file, evaluates gates and writes the reports', async () => {
    const { dir, file } = shortScenario();
    const phases: string[] = [];
    const events: string[] = [];
    let load: LiveLoad | undefined;
    let requestsAtEnd = 0;
    const run = await runScenario(file, {
      outDir: path.join(dir, 'out'),
      gates: ['a.errors == 0'],
      formats: ['json', 'md'],
      log: (line) => phases.push(line),
      observer: {
        runStarted: (plan) => events.push(`run of ${plan.trialsPerVariant} trial`),
        trialStarted: ({ variant, trial }) => events.push(`trial ${variant} ${trial}`),
        stage: (stage) => events.push(stage),
        loadStarted: (live) => {
          load = live;
          events.push(`load started, ${live.progress().requests} requests`);
        },
        phase: (event) => events.push(event.phase),
        trialEnded: (_trial, result) => {
          requestsAtEnd = load?.progress().requests ?? 0;
          events.push(`trial ended ${result.status}`);
        },
        writingReports: () => events.push('writing reports'),
      },
    });
    // The run as an observer sees it: no progress code in the trial, only these events.
    expect(events).toEqual([
      'run of 1 trial',
      'trial a 1',
      'starting the target',
      'settling',
      'load started, 0 requests',
      'warm-up',
      'deploying',
      'triggered',
      'booting',
      'completed',
      'cool-down',
      'stopping',
      'trial ended completed',
      'writing reports',
    ]);
    const trial = run.variants[0]?.trials[0];
    expect(trial?.result.status).toBe('completed');
    expect(trial?.metrics.requests).toBeGreaterThan(10);
    // The live counters a view reads are the recording's.
    expect(requestsAtEnd).toBe(trial?.metrics.requests);
    // The figures are the analysis of the results returned beside them.
    const recording = trial?.result.recording as NonNullable<typeof trial>['result']['recording'];
    expect(trialMetrics(recording)).toEqual(trial?.metrics);
    // And the findings, from the same recording: a caller can read them from saved results too.
    expect(findingsOf(recording)).toEqual(trial?.findings);
    expect(run.outcome).toEqual({ kind: 'completed' });
    expect(run.gates.map((g) => [g.expression, g.passed])).toEqual([['a.errors == 0', true]]);
    expect(exitCodeOf(run)).toBe(0);
    expect(existsSync(path.join(dir, 'out', 'summary.md'))).toBe(true);
    expect(phases.some((l) => l.includes('triggered'))).toBe(true);
  });

  it('keeps running when an observer throws, and says so', async () => {
    const { dir, file } = shortScenario();
    const lines: string[] = [];
    const run = await runScenario(file, {
      outDir: path.join(dir, 'out'),
      formats: ['json'],
      log: (line) => lines.push(line),
      observer: {
        phase: () => {
          throw new Error('a bug in my dashboard');
        },
      },
    });
    // The deploy is not failed by the observer's bug: it completed, and the run with it.
    expect(run.variants[0]?.trials[0]?.result.status).toBe('completed');
    expect(run.outcome).toEqual({ kind: 'completed' });
    expect(lines).toContain('an observer of the run failed: a bug in my dashboard');
  });

  it('throws ScenarioError for a bad scenario', async () => {
    await expect(
      runScenario('test/fixtures/scenarios/bad-types.yaml', { outDir: os.tmpdir() }),
    ).rejects.toBeInstanceOf(ScenarioError);
  });
});
