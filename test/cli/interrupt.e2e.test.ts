import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { processesWithEnv } from '../helpers/processes.ts';
import { REPO } from '../helpers/scenarios.ts';

const BENCH = path.join(REPO, 'bin/bench.js');
const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));

/** What these tests read of results.json. */
interface ResultsJson {
  interrupted: boolean;
  variants: { name: string; trials: { status: string; requests: number }[] }[];
}

/** Ctrl-C at each moment of `bench run`: what was measured is kept, nothing is left running. */
describe('Ctrl-C', () => {
  /** A run whose app is a grandchild (shell wrapper), tagged so that the test can find every process. */
  function interruptibleScenario(
    marker: string,
    extra: { timeline?: string; trials?: number } = {},
  ): string {
    const dir = tempDir();
    const file = path.join(dir, 'interrupt.yaml');
    writeFileSync(
      file,
      `name: interrupt
target:
  platform:
    app:
      command: sh ${JSON.stringify(path.join(REPO, 'test/fixtures/apps/wrapped-app.sh'))}
      env: { BOOT_MS: 800, DEPLOY_BENCH_TEST_MARKER: ${marker} }
    processes: 2
load: { users: 2 }
timeline: ${extra.timeline ?? '{ warmup: 1s, cooldown: 30s }'}
trials: ${extra.trials ?? 1}
variants:
  - { name: stop-start, strategy: stop-start }
  - { name: preboot, strategy: preboot }
`,
    );
    return file;
  }

  /** Starts a run, sends SIGINT `signals` times once stderr shows `moment`, and waits for the exit. */
  async function interruptAt(
    moment: RegExp,
    signals = 1,
    extra: Parameters<typeof interruptibleScenario>[1] = {},
  ) {
    const marker = randomUUID();
    const out = path.join(tempDir(), 'out');
    const child = execa(
      'node',
      [BENCH, 'run', interruptibleScenario(marker, extra), '--out', out],
      { reject: false },
    );
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (moment.test(stderr)) resolve();
      });
    });
    for (let i = 0; i < signals; i++) child.kill('SIGINT');
    const run = await child;
    // A second Ctrl-C quits before anything is written.
    const file = path.join(out, 'results.json');
    const results = (
      existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined
    ) as ResultsJson;
    return { run, results, marker, out };
  }

  const nothingLeft = (marker: string) =>
    expect(processesWithEnv('DEPLOY_BENCH_TEST_MARKER', marker)).toEqual([]);

  it('during the deploy: stops everything, writes what was measured and exits 130', async () => {
    const { run, results, marker } = await interruptAt(/triggered[\s\S]* booting /);
    expect(run.exitCode).toBe(130);
    nothingLeft(marker);
    expect(results.interrupted).toBe(true);
    expect(results.variants[0]?.trials).toHaveLength(1);
    expect(results.variants[0]?.trials[0]?.status).toBe('interrupted');
    expect(results.variants[0]?.trials[0]?.requests).toBeGreaterThan(0);
    expect(results.variants[1]?.trials).toEqual([]);
  });

  it('while the target starts: stops before any load is sent', async () => {
    const { run, results, marker } = await interruptAt(/starting the target/);
    expect(run.exitCode).toBe(130);
    nothingLeft(marker);
    expect(results.interrupted).toBe(true);
    expect(results.variants.map((v) => v.trials)).toEqual([[], []]);
    expect(run.stderr).not.toContain('load started');
    expect(run.stdout + run.stderr).not.toMatch(/saturated/i);
    expect(run.stdout).toContain('Nothing was measured: no trial was recorded.');
  });

  it('during the warm-up', async () => {
    const { run, results, marker } = await interruptAt(/load started/, 1, {
      timeline: '{ warmup: 5s, cooldown: 1s }',
    });
    expect(run.exitCode).toBe(130);
    nothingLeft(marker);
    expect(results.interrupted).toBe(true);
    expect(results.variants[0]?.trials[0]?.status).toBe('interrupted');
  });

  it('between two trials: the first one is kept whole', async () => {
    const { run, results, marker } = await interruptAt(/resting 5 s before trial 2\/2/, 1, {
      timeline: '{ warmup: 500ms, cooldown: 500ms, betweenTrials: 5s }',
      trials: 2,
    });
    expect(run.exitCode).toBe(130);
    nothingLeft(marker);
    expect(results.interrupted).toBe(true);
    expect(results.variants[0]?.trials.map((t) => t.status)).toEqual(['completed']);
  });

  it('while the reports are written: they are finished, and say the run was interrupted', async () => {
    const { run, results, marker, out } = await interruptAt(/writing the reports/, 1, {
      timeline: '{ warmup: 500ms, cooldown: 500ms }',
    });
    expect(run.exitCode).toBe(130);
    nothingLeft(marker);
    expect(results.interrupted).toBe(true);
    expect(existsSync(path.join(out, 'index.html'))).toBe(true);
    // results.json and the reports written after it say the same.
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('The run was interrupted');
  });

  it('a second Ctrl-C while the reports are written leaves whole files only, and the next run no leftover', async () => {
    const timeline = '{ warmup: 500ms, cooldown: 500ms }';
    const { run, marker, out } = await interruptAt(/writing the reports/, 2, { timeline });
    expect(run.exitCode).toBe(130);
    nothingLeft(marker);
    const temporary = () => readdirSync(out).filter((f) => f.endsWith('.tmp'));
    // Each file is written whole between two signals: none is half-written.
    expect(temporary()).toEqual([]);
    expect(() => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'))).not.toThrow();
    // What a run killed in the middle of a write (SIGKILL) would leave: the next run removes it.
    writeFileSync(path.join(out, '.index.html.4242.7.tmp'), '<html');
    const scenario = interruptibleScenario(marker, { timeline });
    const next = await execa(
      'node',
      [BENCH, 'run', scenario, '--out', out, '--force', '--variant', 'preboot', '--export', 'json'],
      { reject: false },
    );
    expect(next.exitCode, next.stderr).toBe(0);
    nothingLeft(marker);
    expect(temporary()).toEqual([]);
  });

  it('a second Ctrl-C quits at once, still leaving no process behind', async () => {
    const { run, marker } = await interruptAt(/triggered[\s\S]* booting /, 2);
    expect(run.exitCode).toBe(130);
    nothingLeft(marker);
  });
});
