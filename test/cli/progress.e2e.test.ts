import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, SAMPLE_APP } from '../helpers/scenarios.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

const BENCH = path.join(REPO, 'bin/bench.js');
let server: TestServer;
let scenario: string;
let longScenario: string;
let dir: string;

beforeAll(async () => {
  server = await startHttpServer((_req, res) => setTimeout(() => res.end('ok'), 2));
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-progress-'));
  const write = (name: string, timeline: string) => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `name: progress
target: { url: "${server.origin}/" }
load: { users: 2 }
timeline: ${timeline}
variants: [{ name: only, command: "sleep 0.5" }]
`,
    );
    return file;
  };
  scenario = write('progress', '{ settle: 0s, warmup: 2s, cooldown: 1s }');
  // Long enough for the plain view's block, printed every 5 s.
  longScenario = write('progress-long', '{ settle: 0s, warmup: 3s, cooldown: 3s }');
});
afterAll(() => server.close());

let runs = 0;
const out = () => path.join(dir, `out-${++runs}`);
const ESCAPE = String.fromCharCode(27);

/** Runs bench in a pseudo-terminal of 120 × 40 (util-linux `script`), returning what the terminal got. */
async function inTerminal(extraEnv = '', file = scenario): Promise<string> {
  const command = `stty cols 120 rows 40; ${extraEnv} node ${BENCH} run ${file} --out ${out()} --export json`;
  // Asynchronously: the target server runs in this very process.
  const run = await execa('script', ['-qfec', command, '/dev/null'], {
    env: { CI: '' },
    reject: false,
  });
  return run.stdout;
}

describe('live progress', () => {
  it('redraws a status on a terminal: trial, stage, rate, latency, failures', async () => {
    const screen = await inTerminal();
    expect(screen).toContain(`${ESCAPE}[2K`); // lines erased and redrawn in place
    expect(screen).toMatch(/only.* trial 1\/1 +[\d.]+ s of ~\d+ s.* +█*░* \d+ % of the run/);
    expect(screen).toMatch(
      /warm-up.*? · \d+ req\/s · \d+ in flight(, oldest [\d.]+ m?s)? · last [\d.]+ ms · worst [\d.]+ ms · 0 failed/,
    );
    expect(screen).toMatch(/deploying/);
    expect(screen).toContain(`${ESCAPE}[36m`); // the stage in colour
    expect(screen).toContain('Longest transaction:');
  });

  it('honours NO_COLOR', async () => {
    const screen = await inTerminal('NO_COLOR=1');
    expect(screen).toContain(`${ESCAPE}[2K`);
    expect(screen).not.toContain(`${ESCAPE}[36m`);
  });

  it('writes plain periodic lines when not on a terminal or under CI', async () => {
    const run = await execa(
      'node',
      [BENCH, 'run', longScenario, '--out', out(), '--export', 'json'],
      { reject: false, env: { CI: 'true' } },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toContain(ESCAPE);
    expect(run.stderr).toMatch(
      /^only trial 1\/1 .*\n {2}(warm-up|deploying|cool-down) · .*req\/s/m,
    );
    // Phases count from the trigger, as the reports' time axis does: the deploy (sleep 0.5) took
    // at least half a second after it.
    expect(run.stderr).toMatch(/^only: +0\.00 s {2}triggered/m);
    const completed = /^only: +([\d.]+) s {2}completed/m.exec(run.stderr)?.[1];
    expect(Number(completed)).toBeGreaterThanOrEqual(0.5);
  });

  it('says nothing but the summary with --quiet', async () => {
    const run = await execa(
      'node',
      [BENCH, 'run', scenario, '--out', out(), '--export', 'json', '--quiet'],
      { reject: false },
    );
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Longest transaction:');
  });

  it('lists the instances as heroku ps would, with who gets the traffic and how long users wait', async () => {
    const lanes = path.join(dir, 'lanes.yaml');
    writeFileSync(
      lanes,
      `name: lanes
target:
  platform:
    app: { command: [node, ${JSON.stringify(SAMPLE_APP)}], env: { BOOT_MS: "1500", WORK_MS: "2" } }
load: { users: 2 }
timeline: { settle: 300ms, warmup: 1500ms, cooldown: 1s }
variants: [{ name: stop-start, strategy: stop-start }]
`,
    );
    const raw = await inTerminal('', lanes);
    // Each frame as the terminal showed it: erase sequences stripped, one line per row.
    const screen = raw
      .replace(new RegExp(`${ESCAPE}\\[[0-9;]*[A-Za-z]`, 'g'), '')
      .replace(/\r/g, '\n');
    // Before the deploy, the old process receives everything ...
    expect(screen).toMatch(/^ {2}web\.1@v1 +up for [\d.]+ s +◀ 100 % of traffic$/m);
    // ... while the new one boots, nobody does, and the users' wait grows past a second.
    expect(screen).toMatch(/^ {2}web\.1@v2 +booting for 1\.\d s$/m);
    expect(screen).toMatch(/deploying · 0 req\/s · 2 in flight, oldest 1\.\d+ s/);
    // ... then the new one takes it all.
    expect(screen).toMatch(/^ {2}web\.1@v2 +up for [\d.]+ s +◀ 100 % of traffic$/m);
    // No glitches: no negative rate, no frame of a trial 0, no frame after the reports are written.
    expect(screen).not.toMatch(/-\d+ req\/s/);
    expect(screen).not.toMatch(/trial 0\//);
    const after = screen.slice(screen.lastIndexOf('writing the reports…'));
    expect(after).not.toMatch(/req\/s|in flight/);
    expect(after).toContain('Longest transaction:');
  });

  it('in the plain view, marks only instances that receive traffic now: never a stopped one', async () => {
    const lanes = path.join(dir, 'plain-lanes.yaml');
    // A 6 s boot: at least one block (every 5 s) falls while the old process is stopped.
    writeFileSync(
      lanes,
      `name: plain lanes
target:
  platform:
    app: { command: [node, ${JSON.stringify(SAMPLE_APP)}], env: { BOOT_MS: "6000", WORK_MS: "2" } }
load: { users: 2 }
timeline: { settle: 0s, warmup: 1500ms, cooldown: 500ms }
variants: [{ name: stop-start, strategy: stop-start }]
`,
    );
    const run = await execa('node', [BENCH, 'run', lanes, '--out', out(), '--export', 'json'], {
      reject: false,
      env: { CI: 'true' },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const stopped = run.stderr
      .split('\n')
      .filter((line) => /^ {2}web\.1@v1 +stopped for/.test(line));
    expect(stopped.length, run.stderr).toBeGreaterThan(0);
    for (const line of stopped) expect(line).not.toContain('◀');
  }, 60_000);
});
