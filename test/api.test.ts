import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// The package's own name, as a user's script imports it.
import { runScenario, ScenarioError, trialMetrics } from 'deploy-bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer } from './helpers/servers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((_req, res) => res.end('ok'));
});
afterAll(() => server.close());

describe("import { runScenario } from 'deploy-bench'", () => {
  it('runs a scenario file, evaluates gates and writes the reports', async () => {
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
    const phases: string[] = [];
    const run = await runScenario(file, {
      outDir: path.join(dir, 'out'),
      gates: ['a.errors == 0'],
      formats: ['json', 'md'],
      log: (line) => phases.push(line),
    });
    const trial = run.variants[0]?.trials[0];
    expect(trial?.result.status).toBe('completed');
    expect(trial?.metrics.requests).toBeGreaterThan(10);
    // The figures are the analysis of the results returned beside them.
    const recording = trial?.result.recording as NonNullable<typeof trial>['result']['recording'];
    expect(trialMetrics(recording)).toEqual(trial?.metrics);
    expect(run.outcome).toEqual({ kind: 'completed' });
    expect(run.results.gates.map((g) => [g.expression, g.passed])).toEqual([
      ['a.errors == 0', true],
    ]);
    expect(existsSync(path.join(dir, 'out', 'summary.md'))).toBe(true);
    expect(phases.some((l) => l.includes('triggered'))).toBe(true);
  });

  it('throws ScenarioError for a bad scenario', async () => {
    await expect(
      runScenario('test/fixtures/scenarios/bad-types.yaml', { outDir: os.tmpdir() }),
    ).rejects.toBeInstanceOf(ScenarioError);
  });
});
