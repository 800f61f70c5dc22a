import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/export/folder-lock.ts';
import type { OutputError } from '../../src/export/output-error.ts';
import { OutputFolder } from '../../src/export/output-folder.ts';
import { BENCH } from '../helpers/scenarios.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

let server: TestServer;
let scenario: string;

beforeAll(async () => {
  server = await startHttpServer((_req, res) => res.end('ok'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-out-'));
  scenario = path.join(dir, 'quick.yaml');
  writeFileSync(
    scenario,
    `name: quick
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 200ms, cooldown: 200ms }
variants: [{ name: a, command: "true" }, { name: b, command: "true" }]
`,
  );
});
afterAll(() => server.close());

const bench = (...args: string[]) => execa('node', [BENCH, ...args], { reject: false });

describe('the output folder', () => {
  it('is never overwritten silently: a second run into it needs --force', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-out-')), 'run');
    expect((await bench('run', scenario, '--out', out)).exitCode).toBe(0);
    const first = readFileSync(path.join(out, 'results.json'), 'utf8');
    const again = await bench('run', scenario, '--out', out);
    expect(again.exitCode).toBe(2);
    expect(again.stderr.trim()).toBe(
      `bench: ${out} already holds a run; choose another --out, or add --force to overwrite it`,
    );
    expect(readFileSync(path.join(out, 'results.json'), 'utf8')).toBe(first);
    expect((await bench('run', scenario, '--out', out, '--force')).exitCode).toBe(0);
  });

  it('takes one run at a time: a second run into it refuses while the first runs', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-out-')), 'run');
    const slow = scenario.replace(/\.yaml$/, '-slow.yaml');
    writeFileSync(slow, readFileSync(scenario, 'utf8').replace('cooldown: 200ms', 'cooldown: 20s'));
    const first = execa('node', [BENCH, 'run', slow, '--out', out], { reject: false });
    await new Promise<void>((resolve) => {
      let stderr = '';
      first.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('load started')) resolve();
      });
    });
    const second = await bench('run', scenario, '--out', out, '--force');
    first.kill('SIGINT');
    expect((await first).exitCode).toBe(130);
    expect(second.exitCode).toBe(2);
    expect(second.stderr.trim()).toBe(
      `bench: ${out} is in use by another bench run (PID ${first.pid}); wait for it to end, or choose another --out`,
    );
    // The first run's results are its own, and its lock went with it.
    expect(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).interrupted).toBe(true);
    expect(existsSync(path.join(out, LOCK_FILE))).toBe(false);
  });

  it("takes over the lock of a run that is gone, and --force clears the earlier run's files", async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-out-')), 'run');
    expect((await bench('run', scenario, '--out', out, '--export', 'json,hgrm')).exitCode).toBe(0);
    expect(existsSync(path.join(out, 'b.hgrm'))).toBe(true);
    // A run killed with SIGKILL leaves its lock behind, naming a process that no longer exists.
    const gone = execa('true');
    await gone;
    writeFileSync(path.join(out, LOCK_FILE), `${gone.pid}\n`);
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const again = await bench('run', scenario, '--out', out, '--force', '--variant', 'a');
    expect(again.exitCode, again.stderr).toBe(0);
    // Only variant a now: b's histogram of the earlier run must not mix into this report.
    expect(existsSync(path.join(out, 'b.hgrm'))).toBe(false);
    expect(existsSync(path.join(out, 'a.hgrm'))).toBe(true);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(out, LOCK_FILE))).toBe(false);
  });

  it('that cannot be one is bad input: exit 2 before any load is sent', async () => {
    // A folder inside a file: no one, root included, can create it.
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-out-')), 'a-file');
    writeFileSync(file, '');
    const run = await bench('run', scenario, '--out', path.join(file, 'run'));
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe(
      `bench: cannot use ${path.join(file, 'run')} as the output folder: ${file} is a file, not a folder`,
    );
    expect(run.stderr).not.toContain('starting the target');
  });

  it('is refused at once where Node would retry forever (/proc), empty, or over a folder it would replace', async () => {
    const refusal = (dir: string, force = false) =>
      OutputFolder.open(dir, force ? 'replace' : 'refuse').then(
        (folder) => {
          folder.close();
          return 'accepted';
        },
        (error: OutputError) => `${error.kind}: ${error.message}`,
      );
    expect(await refusal('/proc/deploy-bench-test/run')).toBe(
      'path: cannot create the output folder /proc/deploy-bench-test/run: /proc cannot hold folders',
    );
    expect(await refusal('')).toBe('path: --out: expected a folder, got ""');
    const earlier = mkdtempSync(path.join(os.tmpdir(), 'bench-out-'));
    mkdirSync(path.join(earlier, 'index.html'));
    writeFileSync(path.join(earlier, 'results.json'), '{}');
    expect(await refusal(earlier, true)).toBe(
      `path: ${path.join(earlier, 'index.html')} is a folder; --force replaces only the files a run writes`,
    );
  });

  it('on a full disk: a clear error, exit code 3, the figures still printed, nothing half-written', async () => {
    const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'bench-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mountPoint]);
    try {
      const out = path.join(mountPoint, 'run');
      mkdirSync(out);
      const run = await bench('run', scenario, '--out', out);
      expect(run.exitCode).toBe(3);
      expect(run.stderr).toMatch(/no space left on device/i);
      expect(run.stdout).toContain('Longest transaction:');
      expect(run.stdout).toMatch(/The run failed: cannot write .*results\.json/);
      // No temporary file left behind; a results.json, if any, is whole.
      const file = path.join(out, 'results.json');
      if (existsSync(file)) expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
      expect(execFileSync('ls', ['-a', out], { encoding: 'utf8' })).not.toContain('.tmp');
      // The last line names a report only when it was written.
      const named = /^Report: (.*)$/m.exec(run.stdout)?.[1];
      if (named === undefined) expect(run.stdout).toContain(`No report was written to ${out}`);
      else expect(existsSync(named), `${named} is named`).toBe(true);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
