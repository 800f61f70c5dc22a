import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { benchInProcess } from '../helpers/cli.ts';
import { BENCH, REPO } from '../helpers/scenarios.ts';
import { closedPort } from '../helpers/servers.ts';

/**
 * `bench watch` against a real target process that somebody else "deploys": on SIGUSR2 from the
 * test it holds every response for 2 s, then answers as release v2. The tool is given no deploy
 * command; it must find the window from the traffic alone.
 */
const APP = path.join(REPO, 'test/fixtures/apps/stalling-release.mjs');

interface Truth {
  listening?: number;
  stallStart?: number;
  stallEnd?: number;
  longestHold?: number;
}

const started: ResultPromise[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

/** Starts `node script`, reading its JSON lines into `truth`; resolves when `until` holds. */
function startWithLines(
  command: string[],
  onLine: (line: string) => void,
  env: Record<string, string> = {},
): ResultPromise<{ reject: false; all: true }> {
  const [file, ...args] = command as [string, ...string[]];
  const child = execa(file, args, { reject: false, all: true, env });
  started.push(child);
  let buffered = '';
  child.all?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  return child;
}

async function until(what: string, holds: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startTarget(
  env: Record<string, string> = {},
): Promise<{ truth: Truth; app: ResultPromise; url: string }> {
  const truth: Truth = {};
  const app = startWithLines(['node', APP], (line) => Object.assign(truth, JSON.parse(line)), env);
  await until('the target to listen', () => truth.listening !== undefined);
  return { truth, app, url: `http://127.0.0.1:${truth.listening}/` };
}

/** The results.json a watch wrote into `out`. */
function savedResults(out: string) {
  return JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
}

function outFolder(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-watch-')), 'out');
}

describe('bench watch', () => {
  it('finds a deploy it did not run from the traffic: the window around the stall, the stall as the server held it', async () => {
    const { truth, app, url } = await startTarget();
    const out = outFolder();
    const stderr: string[] = [];
    // A fixed slow threshold, half the stall: a busy machine's hiccup must not stretch the window.
    const bench = startWithLines(
      [
        'node',
        BENCH,
        'watch',
        url,
        '-c',
        '2',
        '--baseline',
        '1s',
        '--slow-threshold',
        '1s',
        '--out',
        out,
      ],
      (line) => stderr.push(line),
    );
    await until('the recording to start', () =>
      stderr.some((l) => /recording; deploy now/.test(l)),
    );
    // Half an interval past an edge, each side: the phases are split at the 1 s interval edges,
    // so a stall that began at 1.00 s could leave no whole interval before it (seen once, idle).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    app.kill('SIGUSR2');
    await until('the stall to end', () => truth.stallEnd !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Ctrl-C ends a watch as its duration would: reports, exit 0.
    bench.kill('SIGINT');
    const result = await bench;
    expect(result.exitCode, result.all).toBe(0);

    const results = savedResults(out);
    expect(results.interrupted).toBe(false);
    const [trial] = results.variants[0].trials;
    const { recording } = trial;
    const [triggered, completed] = recording.timeline;
    expect(triggered).toMatchObject({
      phase: 'triggered',
      detail: expect.stringMatching(/^detected: /),
    });
    expect(completed).toMatchObject({
      phase: 'completed',
      detail: expect.stringMatching(/^detected: /),
    });
    const stall = (truth.stallEnd as number) - (truth.stallStart as number);
    // The truth the server saw: a request was held this long. A client sent it before, and read
    // its answer after: it cannot have measured less (1 ms for Date's and hrtime's roundings).
    const held = truth.longestHold as number;
    expect(held).toBeGreaterThan(stall / 2);
    const [longest] = recording.longest;
    expect(longest.latencyMs).toBeGreaterThanOrEqual(held - 1);
    expect(recording.longestUserWait.ms).toBeGreaterThanOrEqual(held - 1);
    // ... nor much more: a slow moment of a busy machine, not a second stall.
    expect(longest.latencyMs).toBeLessThan(stall * 1.5);
    expect(recording.longestUserWait.ms).toBeLessThan(stall * 1.5);
    // The window holds the stalled request, and is the stall, not the whole watch.
    expect(triggered.t).toBeLessThanOrEqual(longest.t);
    expect(completed.t).toBeGreaterThanOrEqual(longest.t + longest.latencyMs);
    // At most an interval either side of the stalled request: the window's ends are interval
    // edges (a busy machine's slack is in the request's own latency, bounded above).
    expect(completed.t - triggered.t).toBeLessThanOrEqual(
      longest.latencyMs + 2 * recording.intervalMs,
    );
    expect(recording.instances.map((i: { id: string }) => i.id)).toEqual(['v1', 'v2']);
    // Split by the window: the stalled requests are during it, the steady ones around it (none as
    // slow as the threshold, or the window would have taken them in).
    expect(recording.phases.during.maxMs).toBeGreaterThanOrEqual(held - 1);
    expect(recording.phases.before.maxMs).toBeLessThan(1000);
    expect(recording.phases.after.maxMs).toBeLessThan(1000);
    expect(recording.phases.before.requests).toBeGreaterThan(0);
    expect(recording.phases.after.requests).toBeGreaterThan(0);
    expect(recording.unsplit).toBeUndefined();

    const summary = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/window was detected from the traffic/);
    const page = readFileSync(path.join(out, 'index.html'), 'utf8');
    // Laid out with the phases' labels: alone, or sharing one with a phase close to it.
    expect(page).toMatch(/"content":"detected( · [a-z]+)?"/);
    expect(page).toContain('deployed by somebody else (bench watch)');
    expect(result.all).toMatch(/watched: users waited at most \d\.\d\d s/);
  }, 60_000);

  it('says so when nothing happened, with a slow threshold from its own baseline', async () => {
    const { url } = await startTarget();
    const out = outFolder();
    const result = await execa(
      'node',
      [
        BENCH,
        'watch',
        url,
        '--duration',
        '1s',
        '--baseline',
        '500ms',
        '--out',
        out,
        '--export',
        'json',
      ],
      { reject: false, all: true },
    );
    expect(result.exitCode, result.all).toBe(0);
    const results = savedResults(out);
    const { recording, longest, disruptionSpans } = results.variants[0].trials[0];
    expect(recording.disruption.thresholdSource).toBe('baseline');
    expect(recording.overall.failures).toBe(0);
    const { before, during, after } = recording.phases;
    if (disruptionSpans.length === 0) {
      expect(result.all).toMatch(/no deploy was detected/);
      expect(recording.timeline).toEqual([]);
      // Nothing detected: every request is before any deploy.
      expect(before.requests).toBe(recording.overall.requests);
    } else {
      // A busy machine stalled a request past the baseline's threshold: that is a disruption the
      // watch must report, found from the traffic, with the stall to show for it, and the phases
      // split around it.
      expect(recording.timeline[0]).toMatchObject({ phase: 'triggered' });
      expect(longest[0].latencyMs).toBeGreaterThan(recording.disruption.thresholdMs);
      expect(before.requests + during.requests + after.requests).toBe(recording.overall.requests);
    }
    expect(results.overrides).toEqual([`bench watch ${url}`, '--baseline 500ms', '--duration 1s']);
    const [trial] = results.variants[0].trials;
    expect(trial.baseline.requests).toBeGreaterThan(0);
    expect(trial.baseline.failures).toBe(0);
    expect(trial.baseline.releases).toEqual(['v1']);
    expect(trial.baseline.slowThresholdMs).toBe(recording.disruption.thresholdMs);
  }, 30_000);

  it('measures whole a stall that began during its baseline: the requests in flight at its end are recorded, and it says so', async () => {
    // A 4 s stall from 1 s into a 3 s baseline: it spans the baseline's end unless the machine
    // delays the signal by 2 s (checked below against the recording's start, not assumed).
    const { truth, app, url } = await startTarget({ STALL_MS: '4000' });
    const out = outFolder();
    const lines: string[] = [];
    const args = ['-c', '2', '--baseline', '3s', '--slow-threshold', '500ms', '--duration', '2s'];
    const bench = startWithLines(
      ['node', BENCH, 'watch', url, ...args, '--out', out, '--export', 'json'],
      (line) => lines.push(line),
    );
    await until('the baseline', () => lines.some((l) => /the 3 s baseline/.test(l)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    app.kill('SIGUSR2');
    const result = await bench;
    expect(result.exitCode, result.all).toBe(0);
    const [trial] = savedResults(out).variants[0].trials;
    const { baseline, recording } = trial;
    // The stall began before the recording did, and ended after.
    const recordingStart = Date.parse(trial.startedAt);
    expect(truth.stallStart).toBeLessThan(recordingStart);
    expect(truth.stallEnd).toBeGreaterThan(recordingStart);
    expect(baseline.carried.count).toBeGreaterThan(0);
    expect(baseline.carried.oldestMs).toBeGreaterThan(500);
    // The first request held was sent in the baseline: recorded whole, from its start before t0,
    // not cut at the baseline's end (it was: 1.30 s of a 2 s stall).
    const held = truth.longestHold as number;
    const [longest] = recording.longest;
    expect(longest.latencyMs).toBeGreaterThanOrEqual(held - 1);
    expect(longest.t).toBeLessThan(0);
    expect(recording.longestUserWait.ms).toBeGreaterThanOrEqual(held - 1);
    // The window begins with the recording, and says why.
    expect(recording.timeline[0]).toMatchObject({
      t: 0,
      phase: 'triggered',
      detail: 'detected: a disruption that began before the recording',
    });
    expect(result.stdout).toMatch(
      /the baseline ended with \d+ requests? in flight, the oldest for [\d.]+ m?s \(longer than the 500 ms threshold\): a deploy may have begun before the recording did\. They are recorded whole/,
    );
  }, 60_000);

  it('on a hung target, a second Ctrl-C stops waiting, and the requests it cut count as failed', async () => {
    const { truth, app, url } = await startTarget({ STALL_MS: '30000' });
    const out = outFolder();
    const lines: string[] = [];
    const bench = startWithLines(
      [
        'node',
        BENCH,
        'watch',
        url,
        '-c',
        '2',
        '--baseline',
        '500ms',
        '--out',
        out,
        '--export',
        'json',
      ],
      (line) => lines.push(line),
    );
    await until('the recording to start', () => lines.some((l) => /recording; deploy now/.test(l)));
    app.kill('SIGUSR2');
    await until('the stall', () => truth.stallStart !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    bench.kill('SIGINT'); // ends the watch: it waits for the two requests held
    await until('the watch to end', () => lines.some((l) => /the watch ends here/.test(l)));
    bench.kill('SIGINT'); // stops waiting
    const result = await bench;
    expect(result.exitCode, result.all).toBe(130);
    const { recording } = savedResults(out).variants[0].trials[0];
    // Both users' requests were held by the stall: cut, each is a failure the users saw.
    expect(recording.overall.errors.timeout).toBe(2);
    expect(recording.overall.failures).toBe(2);
  }, 60_000);

  it('says when to deploy even with --quiet, where it says nothing else', async () => {
    const { url } = await startTarget();
    const args = ['watch', url, '--duration', '500ms', '--baseline', '300ms', '--quiet'];
    const result = await execa('node', [BENCH, ...args, '--out', outFolder(), '--export', 'json'], {
      reject: false,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    // docs/watch.md's CI recipe waits for this line before it deploys.
    expect(result.stderr.trim()).toBe(
      'watched: recording; deploy now — the watch ends at Ctrl-C (or --duration)',
    );
  }, 30_000);

  it("takes a scenario's load, not its variants, gates or their variables", async () => {
    const { url } = await startTarget();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-watch-scenario-'));
    const file = path.join(dir, 'heroku.yaml');
    writeFileSync(
      file,
      `name: pushed
target: { url: "http://127.0.0.1:9/" }
load: { users: 2, endpoints: [{ name: home, path: /, expect: { status: 2xx } }] }
trials: 3
variants: [{ name: push, command: 'git push heroku "\${HEROKU_APP}"' }]
gates: ["push.errors == 0"]
`,
    );
    const env = { ...process.env };
    delete env.HEROKU_APP;
    const out = outFolder();
    const result = await execa(
      'node',
      [
        BENCH,
        'watch',
        url,
        '--scenario',
        file,
        '--duration',
        '1s',
        '--baseline',
        '300ms',
        '--out',
        out,
        '--export',
        'json',
      ],
      { reject: false, all: true, env },
    );
    expect(result.exitCode, result.all).toBe(0);
    const results = savedResults(out);
    expect(results.variants.map((v: { name: string }) => v.name)).toEqual(['watched']);
    expect(results.variants[0].trials).toHaveLength(1);
    expect(results.gates).toEqual([]);
    expect(results.variants[0].trials[0].endpoints.map((e: { name: string }) => e.name)).toEqual([
      'home',
    ]);
  }, 30_000);

  it('refuses a target that answers nothing in the baseline (exit 3), and ends at Ctrl-C during it (130)', async () => {
    const downOut = outFolder();
    const down = await execa(
      'node',
      [
        BENCH,
        'watch',
        `http://127.0.0.1:${await closedPort()}/`,
        '--baseline',
        '500ms',
        '--out',
        downOut,
      ],
      { reject: false, all: true },
    );
    expect(down.exitCode, down.all).toBe(3);
    expect(down.all).toMatch(
      /no request succeeded in the 500 ms baseline \(all \d+ failed\): a watch needs the target up/,
    );
    // Nothing was recorded: no page of empty figures, results.json alone says what happened.
    expect(readdirSync(downOut)).toEqual(['results.json']);
    expect(down.all).toContain(`Report: ${path.join(downOut, 'results.json')}`);

    const { url } = await startTarget();
    const out = outFolder();
    const lines: string[] = [];
    const bench = startWithLines(
      ['node', BENCH, 'watch', url, '--baseline', '20s', '--out', out, '--export', 'json'],
      (line) => lines.push(line),
    );
    // A watch starts nothing: its first line is its baseline.
    await until('the baseline', () => lines.some((l) => /the 20 s baseline, not recorded/.test(l)));
    expect(lines.join('\n')).not.toMatch(/starting the target/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    bench.kill('SIGINT');
    const result = await bench;
    expect(result.exitCode, result.all).toBe(130);
    const results = savedResults(out);
    expect(results.interrupted).toBe(true);
    expect(results.variants[0].trials).toEqual([]);
  }, 60_000);

  it('tells bad input in one line, exit 2, before sending anything', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-watch-bad-'));
    const withEndpoints = path.join(dir, 'endpoints.yaml');
    writeFileSync(
      withEndpoints,
      `name: e
target: { url: "http://127.0.0.1:9/" }
load: { users: 1, endpoints: [{ name: home }] }
variants: [{ name: a, command: "true" }]
`,
    );
    const cases: [string[], RegExp][] = [
      [[], /expected a URL, e\.g\. bench watch http/],
      [
        ['ftp://example.com/'],
        /^bench watch ftp:\/\/example\.com\/: target\.url: expected an http:\/\/ or https:\/\/ URL/m,
      ],
      [['http://127.0.0.1:9/', '--duration', 'soon'], /--duration soon: expected a duration/],
      [['http://127.0.0.1:9/', '-c', '0'], /^--users 0: load\.users: /m],
      [
        ['http://127.0.0.1:9/', '--expect-status', '7xx'],
        /^--expect-status 7xx: load\.request\.expect\.status\[0\]: expected a status such as 200/m,
      ],
      [
        ['--scenario', path.join(REPO, 'scenarios/preboot.yaml')],
        /^bench: --scenario .*preboot\.yaml: its target is the embedded platform, which only bench run deploys/m,
      ],
      [
        ['http://127.0.0.1:9/', '--scenario', path.join(REPO, 'scenarios/preboot.yaml')],
        /its target is the embedded platform/,
      ],
      [['http://127.0.0.1:9/', '--duration', '0s'], /--duration 0s: expected a duration above 0/],
      [
        ['--scenario', withEndpoints, '--expect-status', '2xx'],
        /--expect-status: .* has load\.endpoints; give each its expect\.status there/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await benchInProcess(['watch', ...args, '--out', path.join(dir, 'never')]);
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stderr.trim().split('\n').length, run.stderr).toBeLessThanOrEqual(2);
    }
  });
});
