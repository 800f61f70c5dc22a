import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatMs } from '../../src/text/format.ts';
import { lastsThroughABoot, waitsForABoot } from '../helpers/boots.ts';
import { REPO } from '../helpers/scenarios.ts';

const BENCH = path.join(REPO, 'bin/bench.js');
const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));

interface TrialJson {
  status: string;
  requests: number;
  errors: number;
  longestTransactionMs: number;
  siegeLongestTransactionMs: number;
  longestUserWaitMs: number;
  disruptionMs: number;
  recording: { overall: { latency: string } };
  timeline: { t: number; phase: string; detail?: string }[];
  instances: InstanceJson[];
  longest: { t: number; latencyMs: number }[];
  findings: { id: string; kind: string; evidence: Record<string, unknown> }[];
}
interface InstanceJson {
  id: string;
  release: string;
  startedAt: number | null;
  upAt: number | null;
  routedAt: number | null;
  unroutedAt: number | null;
  stoppingAt: number | null;
  stoppedAt: number | null;
  firstTrafficAt: number | null;
  lastTrafficAt: number | null;
  requests: number;
}
interface ResultsJson {
  schemaVersion: number;
  interrupted: boolean;
  load: unknown;
  variants: { name: string; trials: TrialJson[] }[];
}
const readResults = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as ResultsJson;

describe('bench run', () => {
  it('runs the shipped demo: stop-start waits out the boot, preboot does not', async () => {
    const out = tempDir();
    const run = await execa(
      'node',
      [
        BENCH,
        'run',
        'scenarios/preboot.yaml',
        '--out',
        out,
        '--gate',
        'preboot.longest < 3s',
        '--gate',
        'preboot.errors == 0',
      ],
      { cwd: REPO, reject: false },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('Gates: all 2 gates passed.');
    expect(run.stdout).toContain('Longest transaction:');
    expect(run.stdout).toMatch(/preboot's longest wait \d+× shorter than stop-start's/);

    const results = readResults(out);
    expect(results.schemaVersion).toBe(1);
    expect(results.interrupted).toBe(false);
    // The load it was measured under, typed in results.json and stated by every report.
    const load = parse(readFileSync(path.join(REPO, 'scenarios/preboot.yaml'), 'utf8')).load;
    expect(results.load).toEqual({
      model: 'closed',
      users: load.users,
      workers: 1,
      keepAlive: true,
      probePerSecond: 5,
      endpoints: 1,
    });
    const stated = `${load.users} users (closed model), keep-alive, probe 5/s`;
    expect(run.stdout).toContain(`── preboot · 1 trial · ${stated}`);
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain(`Load: ${stated}.`);
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toContain(
      `<span id="load">load: ${stated}</span>`,
    );
    const [stopStart, preboot] = results.variants.map((v) => v.trials[0] as TrialJson);
    const bootMs = 4000;
    expect(stopStart?.longestTransactionMs).toBeGreaterThanOrEqual(0.9 * bootMs);
    // Stop-start's users waited through the new release's boot; preboot's did not (read from the
    // recorded requests and phases: a busy machine's slow request does not span a 4 s boot).
    expect(stopStart?.longest.some((l) => waitsForABoot(stopStart.timeline, l))).toBe(true);
    expect(
      preboot?.longest.some((l) => lastsThroughABoot(preboot.timeline, l.t, l.t + l.latencyMs)),
    ).toBe(false);
    expect(preboot?.errors).toBe(0);
    expect(preboot?.requests).toBeGreaterThan(100);
    expect(preboot?.recording.overall.latency).toMatch(/^HISTF/);

    // The lanes: each variant's old and new process, with the moments of their lives.
    const lanes = (trial: TrialJson | undefined) => {
      const [old, fresh] = trial?.instances ?? [];
      expect(trial?.instances.map((i) => i.id)).toEqual(['web.1@v1', 'web.1@v2']);
      const at = (phase: string) => trial?.timeline.find((e) => e.phase === phase)?.t as number;
      return { old: old as InstanceJson, fresh: fresh as InstanceJson, at };
    };
    const pre = lanes(preboot);
    expect(pre.fresh.upAt).toBeLessThan(pre.old.stoppedAt as number);
    expect(pre.old.stoppingAt).toBeGreaterThanOrEqual(pre.fresh.upAt as number);
    // The old process answered through the boot; the new one took over and answered to the end
    // (the client reads a last answer a moment after the platform saw the process exit: the two
    // clocks' readings of one moment are not ordered, so no bound is put between them).
    expect(pre.old.lastTrafficAt).toBeGreaterThan(pre.at('booting') + bootMs / 2);
    expect(pre.fresh.lastTrafficAt).toBeGreaterThan(pre.old.stoppedAt as number);
    expect(pre.fresh.firstTrafficAt).toBeGreaterThanOrEqual(pre.fresh.upAt as number);
    expect(pre.old.requests + pre.fresh.requests).toBe(preboot?.requests);
    const stop = lanes(stopStart);
    expect(stop.old.lastTrafficAt).toBeLessThan(stop.fresh.firstTrafficAt as number);
    expect(stop.old.stoppedAt).toBeLessThan(stop.fresh.upAt as number);
    expect(stop.fresh.firstTrafficAt).toBeGreaterThanOrEqual(stop.fresh.upAt as number);

    // Why: stop-start left nothing routed to from the old process's unrouting to the new one's
    // routing — the boot; preboot left no such gap, and has no fault finding.
    const nothingUp = stopStart?.findings.find((f) => f.id === 'nothing-up');
    expect(nothingUp?.evidence).toMatchObject({
      source: 'platform',
      lengthMs: (stop.fresh.routedAt as number) - (stop.old.unroutedAt as number),
    });
    expect(nothingUp?.evidence.lengthMs).toBeGreaterThanOrEqual(0.9 * bootMs);
    expect(preboot?.findings.filter((f) => f.kind === 'fault')).toEqual([]);
    expect(run.stdout).toMatch(/stop-start: FAULT nothing was up for \d\.\d\d s \(1 of 1 trial\)/);
    expect(run.stdout).toMatch(
      /seen: +No instance was routed to between [\d.]+ m?s and \d\.\d\d s after the trigger/,
    );
  });

  it('exits 1 when a gate fails, and says why', async () => {
    const out = tempDir();
    const run = await execa(
      'node',
      // The gated variant alone: the other one's trial would only add time.
      [
        BENCH,
        'run',
        'scenarios/preboot.yaml',
        '--variant',
        'stop-start',
        '--out',
        out,
        '--gate',
        'stop-start.longest < 1s',
      ],
      {
        cwd: REPO,
        reject: false,
        // Not on GitHub Actions: a failed gate is no workflow annotation there.
        env: { BOOT_MS: '2000', GITHUB_ACTIONS: '' },
      },
    );
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).not.toMatch(/^::/m);
    const shown =
      /stop-start\.longest < 1\.00 s\s+│ (\d+\.\d\d) s \(1 trial\)\s+│ < 1\.00 s\s+│ FAIL/.exec(
        run.stdout,
      );
    expect(shown, run.stdout).not.toBeNull();
    expect(run.stdout).toContain('Gates: 1 of 1 gate failed.');
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.passed).toBe(false);
    // By how much, against the threshold: the longest as results.json has it.
    const longest = results.variants[0].trials[0].longestTransactionMs;
    expect(run.stdout).toContain(
      `  stop-start.longest < 1.00 s: ${formatMs(longest)} is ${formatMs(longest - 1000)} (`,
    );
    expect(results.gates[0]).toMatchObject({
      expression: 'stop-start.longest < 1.00 s',
      passed: false,
    });
    // The value shown is the one judged: a request waited through the 2 s boot, however busy the
    // machine made it.
    expect(results.gates[0].actual).toBeGreaterThanOrEqual(2000);
    expect(Math.abs(Number(shown?.[1]) - results.gates[0].actual / 1000)).toBeLessThanOrEqual(0.01);
  });

  it('rejects a bad --gate before sending any load', async () => {
    const run = await execa(
      'node',
      [BENCH, 'run', 'scenarios/preboot.yaml', '--gate', 'preboot.longest < 2'],
      {
        cwd: REPO,
        reject: false,
      },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /^bench: --gate 'preboot\.longest < 2': column 19: longest is compared with a duration such as 500ms or 2s, not "2"/,
    );
    expect(run.stderr).not.toContain('starting the target');
  });

  it('answers a bad scenario with one line per problem and exit code 2', async () => {
    const run = await execa('node', [BENCH, 'run', 'test/fixtures/scenarios/bad-types.yaml'], {
      cwd: REPO,
      reject: false,
    });
    expect(run.exitCode).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(
      'test/fixtures/scenarios/bad-types.yaml:8:10: load.users: expected a number >= 1',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('answers a bad command line with exit code 2', async () => {
    const unknown = await execa('node', [BENCH, 'fly'], { cwd: REPO, reject: false });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^bench: unknown command "fly"\n/);
    const trials = await execa('node', [BENCH, 'run', 'scenarios/preboot.yaml', '--trials', '0'], {
      cwd: REPO,
      reject: false,
    });
    expect(trials.exitCode).toBe(2);
    expect(trials.stderr).toMatch(/--trials: expected a whole number from 1 to 1000/);
  });

  it('exits 3 when the target never comes up, and says why', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'never-up.yaml');
    writeFileSync(
      file,
      `name: never-up
target:
  platform:
    app: { command: [node, ${JSON.stringify(path.join(REPO, 'examples/app/server.mjs'))}], env: { BOOT_MS: 60000 } }
    bootTimeout: 300ms
load: { users: 1 }
variants: [{ name: a, strategy: preboot }]
`,
    );
    const run = await execa('node', [BENCH, 'run', file, '--out', path.join(dir, 'out')], {
      reject: false,
    });
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toMatch(
      /The run failed: the target did not come up: web\.1@v1 did not come up within 300 ms/,
    );
    expect(readResults(path.join(dir, 'out')).variants[0]?.trials).toEqual([]);
  });
});

it('keeps README’s quick start true: its two commands, the second the one CI runs', () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'));
  const commands = quickStart
    .split('\n')
    .filter((line) => line.startsWith('    npm'))
    .slice(0, 2)
    .map((line) => line.replace(/#.*/, '').trim());
  expect(commands).toEqual([
    'npm ci && npx bench run scenarios/preboot.yaml',
    'npm run test:prerequisites && npm test',
  ]);
  const ci = readFileSync(path.join(REPO, '.ci/run'), 'utf8');
  expect(ci.split('\n')).toContain(commands[1]);
  expect(existsSync(path.join(REPO, 'scenarios/preboot.yaml'))).toBe(true);
});
