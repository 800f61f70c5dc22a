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
    const report = await runScenario(file, {
      outDir: path.join(dir, 'out'),
      gates: ['a.errors == 0'],
      formats: ['json', 'md'],
      log: (line) => phases.push(line),
    });
    const trial = report.variants[0]?.trials[0];
    expect(trial?.status).toBe('completed');
    expect(
      trialMetrics(trial?.recording as NonNullable<typeof trial>['recording']).requests,
    ).toBeGreaterThan(10);
    expect(report.gates.map((g) => [g.expression, g.passed])).toEqual([['a.errors == 0', true]]);
    expect(existsSync(path.join(dir, 'out', 'summary.md'))).toBe(true);
    expect(phases.some((l) => l.includes('triggered'))).toBe(true);
  });

  it('throws ScenarioError for a bad scenario', async () => {
    await expect(
      runScenario('test/fixtures/scenarios/bad-types.yaml', { outDir: os.tmpdir() }),
    ).rejects.toBeInstanceOf(ScenarioError);
  });
});
