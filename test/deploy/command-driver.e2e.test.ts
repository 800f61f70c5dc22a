import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialMetrics } from '../../src/analysis/trial-metrics.ts';
import { HEAD_LINES, MAX_LINE_CHARACTERS, TAIL_LINES } from '../../src/results/log-line.ts';
import type { TrialResult } from '../../src/results/run.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { runTrial } from '../../src/trial/run-trial.ts';
import { processesWithEnv } from '../helpers/processes.ts';
import { REPO } from '../helpers/scenarios.ts';
import {
  closedPort as closedPortNumber,
  startHttpServer,
  type TestServer,
} from '../helpers/servers.ts';
import { measuredTrial } from '../helpers/trials.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((_req, res) =>
    res.writeHead(200, { 'x-release': 'ext' }).end('ok'),
  );
});
afterAll(() => server.close());

async function deployWith(
  command: string,
  deployTimeout = '10s',
  env: NodeJS.ProcessEnv = process.env,
): Promise<TrialResult> {
  const scenario = parseScenario(
    `name: external
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 300ms, cooldown: 300ms, deployTimeout: ${deployTimeout} }
variants: [{ name: cmd, command: ${JSON.stringify(command)} }]
`,
    'external.yaml',
    env,
  );
  const variant = scenario.variants[0];
  if (!variant) throw new Error('no variant');
  return measuredTrial(
    await runTrial({
      loaded: { scenario, gates: [], file: 'external.yaml', dir: REPO, env },
      variant,
      trial: 1,
      signal: new AbortController().signal,
    }),
  );
}

describe('an external target deployed by a shell command', () => {
  it('runs the command with the environment the scenario was read with', async () => {
    const env = { ...process.env, DEPLOY_BENCH_GREETING: 'hello; not a command' };
    const result = await deployWith('echo "$DEPLOY_BENCH_GREETING"', '10s', env);
    expect(result.status).toBe('completed');
    expect(result.deployLog.map((l) => l.line)).toEqual(['hello; not a command']);
  });

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

  it('ends when the command exits, leaving what it started in the background running', async () => {
    const marker = randomUUID();
    // How deploy scripts hand over: the release is started in the background and the script exits.
    const result = await deployWith(
      `DEPLOY_BENCH_TEST_MARKER=${marker} sleep 30 & echo started`,
      '20s',
    );
    const left = processesWithEnv('DEPLOY_BENCH_TEST_MARKER', marker);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    expect(result.status).toBe('completed');
    expect(result.deployLog.map((l) => l.line)).toEqual(['started']);
    const at = (phase: string) =>
      result.recording.timeline.find((e) => e.phase === phase)?.t ?? NaN;
    // The background child holds the output pipe for 30 s; the deploy is over when the shell exits,
    // not when the pipe closes (nor at the 20 s deploy timeout).
    expect(at('completed') - at('triggered')).toBeLessThan(15_000);
    expect(left).toHaveLength(1);
  });

  it('keeps a bounded log of a command that prints a lot, saying how much it left out', async () => {
    // 200,000 lines of which 100,000 are longer than a kept line.
    const result = await deployWith(
      `yes line | head -n 100000; yes "$(printf '%02000d' 7)" | head -n 100000`,
    );
    expect(result.status).toBe('completed');
    const lines = result.deployLog;
    expect(lines).toHaveLength(HEAD_LINES + 1 + TAIL_LINES);
    expect(lines[0]?.line).toBe('line');
    expect(lines[HEAD_LINES]?.omitted).toEqual({
      lines: 200_000 - HEAD_LINES - TAIL_LINES,
      characters: (100_000 - HEAD_LINES) * 4 + (100_000 - TAIL_LINES) * 2000,
      cutLines: 100_000,
      cutCharacters: 100_000 * (2000 - MAX_LINE_CHARACTERS),
    });
    expect(lines.at(-1)?.line).toBe(
      `${'0'.repeat(MAX_LINE_CHARACTERS)} … (1,000 more characters not kept)`,
    );
  });

  it('cuts a line without a newline while it is read, and says so after the last line', async () => {
    const result = await deployWith(`head -c 3000000 /dev/zero | tr '\\0' x; echo; echo done`);
    expect(result.deployLog.map((l) => l.line)).toEqual([
      `${'x'.repeat(MAX_LINE_CHARACTERS)} … (2,999,000 more characters not kept)`,
      'done',
      '… 3.0 MB cut from 1 long line not kept …',
    ]);
    expect(result.deployLog.at(-1)?.omitted).toEqual({
      lines: 0,
      characters: 0,
      cutLines: 1,
      cutCharacters: 2_999_000,
    });
  });
});

describe('hooks, readiness, release patterns and failure policy', () => {
  const BENCH = path.join(REPO, 'bin/bench.js');

  async function runScenarioText(text: string) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-hooks-'));
    writeFileSync(path.join(dir, 'scenario.yaml'), text);
    const run = await execa(
      'node',
      [BENCH, 'run', path.join(dir, 'scenario.yaml'), '--out', path.join(dir, 'out')],
      {
        reject: false,
      },
    );
    const out = path.join(dir, 'out');
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    return { run, results, out };
  }

  const header = (extra = '') => `name: hooks
target: { url: "${server.origin}/" }
load: { users: 1${extra} }
timeline: { settle: 0s, warmup: 200ms, cooldown: 200ms }
`;

  it('runs hooks around variants and trials and keeps their output', async () => {
    const { run, results } = await runScenarioText(`${header()}variants:
  - name: a
    command: echo deploying
    hooks:
      beforeVariant: echo before variant
      beforeTrial: echo before trial
      afterTrial: echo after trial
      afterVariant: echo after variant
trials: 2
`);
    expect(run.exitCode, run.stderr).toBe(0);
    const [variant] = results.variants;
    expect(
      variant.hookLog.map((l: { source: string; line: string }) => `${l.source}: ${l.line}`),
    ).toEqual(['hook beforeVariant: before variant', 'hook afterVariant: after variant']);
    for (const trial of variant.trials) {
      const lines = trial.deployLog.map(
        (l: { source?: string; line: string }) => `${l.source ?? 'deploy'}: ${l.line}`,
      );
      expect(lines).toEqual([
        'hook beforeTrial: before trial',
        'deploy: deploying',
        'hook afterTrial: after trial',
      ]);
      // Before-trial output comes before t0, the deploy's after the warm-up, the after-trial's last.
      const [before, deploy, after] = trial.deployLog.map((l: { t: number }) => l.t);
      expect(before).toBeLessThan(0);
      expect(deploy).toBeGreaterThanOrEqual(200);
      expect(after).toBeGreaterThan(deploy);
    }
  });

  it("gives a variant's env to its command and its hooks, and to no other variant", async () => {
    const { run, results } = await runScenarioText(`${header()}variants:
  - name: a
    command: echo "deploying $WAY"
    env: { WAY: graceful }
    hooks: { beforeVariant: echo "before $WAY", beforeTrial: echo "trial $WAY" }
  - name: b
    command: echo "deploying \${WAY:-unset}"
`);
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = (log: { line: string }[]) => log.map((l) => l.line);
    const [a, b] = results.variants;
    expect(lines(a.hookLog)).toEqual(['before graceful']);
    expect(lines(a.trials[0].deployLog)).toEqual(['trial graceful', 'deploying graceful']);
    expect(lines(b.trials[0].deployLog)).toEqual(['deploying unset']);
  });

  it('runs afterVariant even when a hook stopped the run: what beforeVariant started is taken down', async () => {
    const { run, results } = await runScenarioText(`${header()}variants:
  - name: a
    command: "true"
    hooks:
      beforeVariant: echo set up
      afterTrial: exit 4
      afterVariant: echo taken down
`);
    expect(run.exitCode).toBe(3);
    expect(results.failure).toMatch(/^a: hook afterTrial \(exit 4\) exited with code 4/);
    expect(
      results.variants[0].hookLog.map(
        (l: { source: string; line: string }) => `${l.source}: ${l.line}`,
      ),
    ).toEqual(['hook beforeVariant: set up', 'hook afterVariant: taken down']);
  });

  it('runs afterVariant after a failing beforeVariant, which may have started something first, and tells the first failure', async () => {
    const { run, results } = await runScenarioText(`${header()}variants:
  - name: a
    command: "true"
    hooks:
      beforeVariant: echo started half; exit 5
      afterVariant: echo taken down; exit 6
`);
    expect(run.exitCode).toBe(3);
    expect(results.failure).toMatch(
      /^a: hook beforeVariant \(echo started half; exit 5\) exited with code 5/,
    );
    expect(results.variants[0].trials).toEqual([]);
    expect(
      results.variants[0].hookLog.map(
        (l: { source: string; line: string }) => `${l.source}: ${l.line}`,
      ),
    ).toEqual(['hook beforeVariant: started half', 'hook afterVariant: taken down']);
  });

  it('stops the run on a failing hook, keeping what was measured, with exit code 3', async () => {
    const { run, results } = await runScenarioText(`${header()}variants:
  - name: a
    command: "true"
    hooks: { afterTrial: "echo cannot reset >&2; exit 4" }
  - name: b
    command: "true"
`);
    expect(run.exitCode).toBe(3);
    expect(results.failure).toBe(
      'a: hook afterTrial (echo cannot reset >&2; exit 4) exited with code 4; last output: cannot reset',
    );
    expect(results.variants[0].trials).toHaveLength(1);
    expect(results.variants[0].trials[0].requests).toBeGreaterThan(0);
    expect(results.variants[1].trials).toEqual([]);
  });

  it('stops after a failed deploy when deploy.onFailure is stop', async () => {
    const { run, results } = await runScenarioText(`${header()}deploy: { onFailure: stop }
variants:
  - { name: a, command: "exit 1" }
  - { name: b, command: "true" }
trials: 2
`);
    expect(run.exitCode).toBe(3);
    expect(results.failure).toBe('a, trial 1: the deploy failed (deploy.onFailure: stop)');
    expect(results.variants[0].trials.map((t: { status: string }) => t.status)).toEqual(['failed']);
  });

  it('reports no winner and no passed gate for a run whose deploy failed', async () => {
    const { run, results, out } = await runScenarioText(`${header()}gates: ["*.errors == 0"]
variants:
  - { name: current, command: "./missing-deploy-script.sh" }
  - { name: next, command: "true" }
`);
    expect(run.exitCode).toBe(3);
    expect(results.outcome).toBe('failed');
    expect(results.failure).toMatch(/^current, trial 1: the deploy failed: deploy command exited/);
    expect(results.comparison.best).toBeNull();
    expect(results.comparison.headline).toMatch(
      /— no winner: the run failed; current left out: its deploy failed in 1 of 1 trial$/,
    );
    expect(results.passed).toBeNull();
    expect(results.gates.map((g: { evaluated: boolean; passed: boolean }) => g.evaluated)).toEqual([
      false,
      false,
    ]);
    expect(run.stdout).not.toMatch(/gates? passed/);
    expect(run.stdout).toContain('Gates: not evaluated (2 gates): the run failed.');
    // The last line says the run failed; every report says so at its top.
    expect(run.stdout.trim().split('\n').at(-1)).toBe(`The run failed: ${results.failure}`);
    const summary = readFileSync(path.join(out, 'summary.md'), 'utf8').split('\n');
    expect(summary[2]).toMatch(/^> ⚠️ \*\*The run failed: current, trial 1: the deploy failed/);
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html.indexOf('id="ended"')).toBeLessThan(html.indexOf('id="headline"'));
    const junit = readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('<skipped message="not evaluated: the run failed"');
  });

  it('reads the release from the body with a pattern', async () => {
    const { results } =
      await runScenarioText(`${header(', releasePattern: "(o)k"')}variants: [{ name: a, command: "true" }]
`);
    expect(Object.keys(results.variants[0].trials[0].recording.overall.releases)).toEqual(['o']);
  });

  it('waits for an external target to answer, and says when it never does', async () => {
    const closed = await closedPortNumber();
    const { run, results } = await runScenarioText(`name: never
target: { url: "http://127.0.0.1:${closed}/", ready: { timeout: 600ms } }
load: { users: 1 }
variants: [{ name: a, command: "true" }]
`);
    expect(run.exitCode).toBe(3);
    expect(results.failure).toMatch(
      new RegExp(
        `^the target is not ready: http://127\\.0\\.0\\.1:${closed}/ did not answer below HTTP 500 within 600 ms \\(last attempt: ECONNREFUSED\\)$`,
      ),
    );
  });
});
