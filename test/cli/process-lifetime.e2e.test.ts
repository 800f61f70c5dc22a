import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesWithEnv } from '../helpers/processes.ts';
import { BENCH, REPO } from '../helpers/scenarios.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

/**
 * What outlives a run, and what a run keeps, when it is killed, hung up on, or flooded with output.
 * Every process a scenario starts carries a marker in its environment, so that the test finds the
 * grandchildren too.
 */
const MARKER = 'DEPLOY_BENCH_TEST_MARKER';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((_req, res) => res.end('ok'));
});
afterAll(() => server.close());

function scenarioFile(text: string): { file: string; out: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-lifetime-'));
  const file = path.join(dir, 'scenario.yaml');
  writeFileSync(file, text);
  return { file, out: path.join(dir, 'out') };
}

/** The embedded platform mid-preboot: v1 serving, v2 booting, both grandchildren of a shell. */
function embeddedScenario(marker: string) {
  return scenarioFile(`name: embedded
target:
  platform:
    app:
      command: sh ${JSON.stringify(path.join(REPO, 'test/fixtures/apps/wrapped-app.sh'))}
      env: { BOOT_MS: 3000, ${MARKER}: ${marker} }
    processes: 2
load: { users: 2 }
timeline: { settle: 0s, warmup: 500ms, cooldown: 5s }
variants: [{ name: preboot, strategy: preboot }]
`);
}

/** An external target deployed by a command that runs until it is stopped, with a grandchild. */
function commandScenario(marker: string, timeline = '{ settle: 0s, warmup: 300ms, cooldown: 1s }') {
  return scenarioFile(`name: command
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: ${timeline}
variants:
  - name: push
    command: "echo pushing; export ${MARKER}=${marker}; sleep 77.7 & sleep 77.8"
`);
}

/** Starts `bench run` and resolves once its stderr matches `moment` (wrapped: a subprocess is a promise). */
async function startRun(
  file: string,
  out: string,
  moment: RegExp,
): Promise<{ child: ResultPromise }> {
  const child = execa('node', [BENCH, 'run', file, '--out', out], { reject: false });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (moment.test(stderr)) resolve();
    });
    child.then(() => reject(new Error(`bench ended before ${moment}:\n${stderr}`)));
  });
  return { child };
}

/** Waits up to `ms` for every marked process to be gone; returns those still there. */
async function leftAfter(marker: string, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = processesWithEnv(MARKER, marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesWithEnv(MARKER, marker);
  }
  return left;
}

/** The app processes (node) of one release of the embedded platform, which has RELEASE set. */
function releaseApps(marker: string, release: string): number[] {
  return processesWithEnv(MARKER, marker).filter((pid) => {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      return environ.includes(`RELEASE=${release}`) && command.includes('server.mjs');
    } catch {
      return false;
    }
  });
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

async function sigkill(child: ResultPromise): Promise<void> {
  child.kill('SIGKILL');
  const run = await child;
  expect(run.signal).toBe('SIGKILL');
}

describe('bench killed with SIGKILL mid-deploy', () => {
  it('leaves no process of the embedded platform (old and new release) running', async () => {
    const marker = randomUUID();
    const { file, out } = embeddedScenario(marker);
    const { child } = await startRun(file, out, /booting/);
    // v2's two apps are booting beside v1's two, each a grandchild of a wrapper shell.
    const deadline = Date.now() + 5000;
    while (releaseApps(marker, 'v2').length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(releaseApps(marker, 'v2')).toHaveLength(2);
    expect(releaseApps(marker, 'v1')).toHaveLength(2);
    await sigkill(child);
    const left = await leftAfter(marker, 5000);
    killAll(left);
    expect(left).toEqual([]);
  });

  it("leaves no process of a deploy command's group running", async () => {
    const marker = randomUUID();
    const { file, out } = commandScenario(marker);
    const { child } = await startRun(file, out, /booting/);
    // The shell has started both sleeps once its first line is out.
    const deadline = Date.now() + 5000;
    while (processesWithEnv(MARKER, marker).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(processesWithEnv(MARKER, marker)).toHaveLength(2);
    await sigkill(child);
    const left = await leftAfter(marker, 5000);
    killAll(left);
    expect(left).toEqual([]);
  });
});

describe('bench killed between trials (SIGKILL, or a second Ctrl-C)', () => {
  it('leaves a results.json that says the run was cut short, with the trials it finished', async () => {
    const { file, out } = scenarioFile(`name: two
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 200ms, cooldown: 200ms }
variants:
  - { name: first, command: "true" }
  - { name: second, command: "true" }
`);
    const { child } = await startRun(file, out, /second: load started/);
    child.kill('SIGKILL');
    await child;
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.interrupted).toBe(true);
    expect(results.outcome).toBe('interrupted');
    expect(results.variants[0].trials).toHaveLength(1);
    expect(results.variants[0].trials[0].status).toBe('completed');
    expect(results.variants[1].trials).toEqual([]);
  });
});

describe('bench hung up on (SIGHUP: a closed terminal or SSH session)', () => {
  it('stops like Ctrl-C: exit 130, results.json saved and saying so, nothing left running', async () => {
    const marker = randomUUID();
    const { file, out } = commandScenario(marker);
    const { child } = await startRun(file, out, /booting/);
    child.kill('SIGHUP');
    const run = await child;
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toContain('SIGHUP: stopping the load and the deploy');
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.interrupted).toBe(true);
    expect(results.outcome).toBe('interrupted');
    expect(results.variants[0].trials[0].status).toBe('interrupted');
    expect(results.variants[0].trials[0].requests).toBeGreaterThan(0);
    const left = await leftAfter(marker, 5000);
    killAll(left);
    expect(left).toEqual([]);
  });
});

describe('a deploy that prints 50 MB', () => {
  it('is measured all the same: exit 0, a small results.json, reports that say what was left out', async () => {
    const { file, out } = scenarioFile(`name: chatty
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 200ms, cooldown: 200ms }
variants:
  - name: chatty
    command: yes "$(printf 'building layer %085d' 0)" | head -n 500000; echo done
`);
    const run = await execa('node', [BENCH, 'run', file, '--out', out], { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    const size = statSync(path.join(out, 'results.json')).size;
    expect(size).toBeLessThan(10 * 1024 * 1024);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const log = results.variants[0].trials[0].deployLog as {
      line: string;
      omitted?: { lines: number; characters: number };
    }[];
    // 500,000 lines of 101 bytes (the newline included): 50.5 MB, and "done" after them.
    const printed = 500_000 + 1;
    const omitted = log.find((l) => l.omitted)?.omitted;
    expect(omitted?.lines).toBe(printed - (log.length - 1));
    expect(log.at(-1)?.line).toBe('done');
    const note = `chatty, trial 1: the deploy printed more than is kept: ${omitted?.lines.toLocaleString('en-US')} lines`;
    // Every report says so: the terminal, summary.md, index.html and junit.xml.
    expect(run.stdout).toContain(note);
    for (const report of ['summary.md', 'index.html', 'junit.xml'])
      expect(readFileSync(path.join(out, report), 'utf8')).toContain(note);
  });
});

describe('a deploy hook that never ends', () => {
  it('is killed at timeline.hookTimeout and stops the run with exit code 3', async () => {
    const marker = randomUUID();
    const { file, out } = scenarioFile(`name: hook
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 200ms, cooldown: 200ms, hookTimeout: 500ms }
variants:
  - name: a
    command: "true"
    hooks: { beforeTrial: "${MARKER}=${marker} sleep 60" }
`);
    const run = await execa('node', [BENCH, 'run', file, '--out', out], { reject: false });
    expect(run.exitCode).toBe(3);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(
      `The run failed: a: hook beforeTrial (${MARKER}=${marker} sleep 60) did not finish within 500 ms and was killed`,
    );
    expect(processesWithEnv(MARKER, marker)).toEqual([]);
  });
});
