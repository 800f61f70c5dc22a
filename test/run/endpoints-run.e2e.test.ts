import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchInProcess } from '../helpers/cli.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

/**
 * A site whose deploy breaks what load tests rarely request: for the deploy's second, the hashed
 * asset is missing (404) and the API answers 200 with an error in its body. The home page never fails.
 */
let deploying = false;
let site: TestServer;
let control: TestServer;
let dir: string;

beforeAll(async () => {
  site = await startHttpServer((req, res) => {
    if (req.url === '/assets/app.css') {
      if (deploying) res.writeHead(404).end('missing asset app.css');
      else res.writeHead(200, { 'content-type': 'text/css' }).end('body { margin: 0 }');
    } else if (req.url === '/api/cart') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(deploying ? '{"error":"database unavailable"}' : '{"status":"ok","items":[]}');
    } else res.writeHead(200).end('<h1>welcome</h1>');
  });
  control = await startHttpServer((_req, res) => {
    deploying = true;
    setTimeout(() => {
      deploying = false;
      res.end('deployed');
    }, 1000);
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-endpoints-'));
});
afterAll(async () => {
  await site.close();
  await control.close();
});

describe('a run with several endpoints', () => {
  it('shows which endpoint the deploy hurt, counts error bodies as failed checks, and gates per endpoint', async () => {
    const deploy = JSON.stringify(`node -e "fetch('${control.origin}/').then((r) => r.text())"`);
    const scenario = path.join(dir, 'shop.yaml');
    writeFileSync(
      scenario,
      `name: shop
target: { url: "${site.origin}/" }
load:
  users: 3
  endpoints:
    - { name: home, weight: 2, path: / }
    - { name: assets, path: /assets/app.css, expect: { status: 2xx } }
    - { name: api, path: /api/cart, expect: { status: 200, body: '"status":"ok"' } }
timeline: { settle: 0s, warmup: 800ms, cooldown: 800ms }
variants: [{ name: deploy, command: ${deploy} }]
gates:
  - deploy.endpoint(home).errors == 0
  - deploy.endpoint(assets).errors == 0
`,
    );
    const out = path.join(dir, 'out');
    const run = await benchInProcess(['run', scenario, '--out', out, '--export', 'json,md,html']);
    expect(run.exitCode, run.stderr).toBe(1);

    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const trial = results.variants[0].trials[0];
    const byName = Object.fromEntries(trial.endpoints.map((e: { name: string }) => [e.name, e]));
    expect(Object.keys(byName)).toEqual(['home', 'assets', 'api']);
    // The home page never fails: only a request slower than the threshold (a busy machine's) can
    // make it hurt, read from what was recorded.
    expect(byName.home.errors).toBe(0);
    const slow = (phase: string) => byName.home.latency[phase].max > byName.home.slowThresholdMs;
    expect(byName.home.hurt).toBe((slow('during') || slow('after')) && !slow('before'));
    expect(byName.home.requests).toBeGreaterThan(byName.assets.requests);
    expect(byName.assets.errors).toBeGreaterThan(0);
    expect(byName.assets.errorsByKind.check).toBe(byName.assets.errors);
    expect(byName.assets.hurt).toBe(true);
    expect(byName.api.errorsByKind.check).toBeGreaterThan(0);
    expect(byName.api.hurt).toBe(true);
    for (const name of ['home', 'assets', 'api'])
      for (const field of [
        'requests',
        'errors',
        'errorsByKind',
        'longestTransactionMs',
        'siegeLongestTransactionMs',
        'longestUserWaitMs',
        'disruptionMs',
        'latency',
      ])
        expect(byName[name], `${name}.${field}`).toHaveProperty(field);
    // The endpoints' requests and failures add up to the trial's.
    const sum = (field: string) =>
      trial.endpoints.reduce((n: number, e: Record<string, number>) => n + (e[field] as number), 0);
    expect(sum('requests')).toBe(trial.requests);
    expect(sum('errors')).toBe(trial.errors);
    expect(trial.errorsByKind.check).toBe(trial.errors);
    // A failing user waits from its first failed asset to its next success anywhere else: the
    // asset's own wait counts to its next good asset.
    expect(byName.assets.longestUserWaitMs).toBeGreaterThan(800);

    const gates = results.gates.map((g: { expression: string; passed: boolean }) => [
      g.expression,
      g.passed,
    ]);
    expect(gates).toEqual([
      ['deploy.endpoint(home).errors == 0', true],
      ['deploy.endpoint(assets).errors == 0', false],
    ]);

    const examples = trial.recording.checkFailures;
    expect(examples).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          endpoint: 'assets',
          check: 'status 2xx',
          status: 404,
          body: 'missing asset app.css',
        }),
        expect.objectContaining({
          endpoint: 'api',
          check: 'body contains "\\"status\\":\\"ok\\""',
          status: 200,
          body: '{"error":"database unavailable"}',
        }),
      ]),
    );

    const markdown = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(markdown).toContain('#### By endpoint');
    expect(markdown).toMatch(/\| assets \| deploy \| .* \| ⚠️ \*\*hurt\*\* \|/);
    // The home page as the recording judged it (unharmed, unless a busy machine slowed it).
    const home = byName.home.hurt ? '⚠️ \\*\\*hurt\\*\\*' : 'unharmed';
    expect(markdown).toMatch(new RegExp(`\\| home \\| deploy \\| .* \\| ${home} \\|`));
    expect(markdown).toMatch(/\| failed checks \| \*?\*?\d+/);
    expect(markdown).toContain('missing asset app.css');
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toMatch(/<tr class="hurt"><td>assets<\/td>/);
    expect(html).toContain(`<tr class="${byName.home.hurt ? 'hurt' : 'unharmed'}"><td>home</td>`);
    expect(html).toContain('{&quot;error&quot;:&quot;database unavailable&quot;}');
    expect(run.stdout).toMatch(/assets\s+.*HURT/);
    // The endpoints failed only while the deploy ran, and recovered: nothing broke after it, and
    // the home page answered throughout (no stretch without an answer).
    expect(trial.findings).toEqual([]);
    expect(run.stdout).toContain('deploy: nothing found');
    expect(run.stdout).toContain('Check failed: deploy, trial 1, api: body contains');
  });

  it('refuses a gate naming an endpoint the scenario does not have', async () => {
    const scenario = path.join(dir, 'bad-gate.yaml');
    writeFileSync(
      scenario,
      `name: bad gate
target: { url: "${site.origin}/" }
load: { users: 1, endpoints: [{ name: home, path: / }] }
variants: [{ name: deploy, command: "true" }]
gates: [deploy.endpoint(assets).errors == 0]
`,
    );
    const run = await benchInProcess(['validate', scenario]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /bad-gate\.yaml:5:\d+: gates\[0\]: unknown endpoint "assets"; the scenario's endpoints are "home"/,
    );
  });
});
