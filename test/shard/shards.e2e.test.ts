import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/scenarios.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

const BENCH = path.join(REPO, 'bin/bench.js');

interface TrialJson {
  requests: number;
  errors: number;
  latency: Record<'overall' | 'before' | 'during' | 'after', { count: number; p50: number }>;
  timeline: { phase: string; t: number }[];
}

let server: TestServer;
let dir: string;
let scenario: string;
/** The same, each shard spreading its share over 2 worker threads. */
let withWorkers: string;

/**
 * A ground-truth server that answers after 5 ms, loaded by an open model at 100 requests/s with
 * evenly spaced arrivals: every shard split sends the same arrivals, so the counts are exact.
 * Each shard measures warm-up 1 s + deploy window 1 s + cool-down 505 ms: arrivals at 0, 10, …,
 * 2500 ms (251), the end 5 ms from the nearest one.
 */
beforeAll(async () => {
  server = await startHttpServer((_req, res) => {
    setTimeout(() => res.end('ok'), 5);
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-shards-'));
  const write = (file: string, workers: number) => {
    writeFileSync(
      file,
      `name: sharded
target: { url: "${server.origin}/" }
load: { model: open, rate: 100/s, arrival: uniform, workers: ${workers} }
timeline: { settle: 0s, warmup: 1s, deployTimeout: 1s, cooldown: 505ms }
analysis: { interval: 100ms, slowThreshold: 1s }
variants:
  - name: deploy
    command: sleep 0.3
`,
    );
    return file;
  };
  scenario = write(path.join(dir, 'sharded.yaml'), 1);
  withWorkers = write(path.join(dir, 'sharded-workers.yaml'), 2);
});
afterAll(async () => {
  await server.close();
});

/** Runs every shard of `count` as its own process, all starting at the same moment. */
async function runShards(count: number, file = scenario): Promise<string[]> {
  // Time for `count` processes to start on two cores, with a margin.
  // Every shard must be ready before it: a busy machine starts 4 processes slowly.
  const startAt = new Date(Date.now() + 6000 + 2000 * count).toISOString();
  const outs = Array.from({ length: count }, (_, i) => path.join(dir, `of${count}-shard${i + 1}`));
  const runs = await Promise.all(
    outs.map((out, i) =>
      execa(
        'node',
        [
          BENCH,
          'run',
          file,
          '--shard',
          `${i + 1}/${count}`,
          '--start-at',
          startAt,
          '--out',
          out,
          '--quiet',
          '--export',
          'json',
        ],
        { reject: false },
      ),
    ),
  );
  for (const run of runs) expect(run.exitCode, run.stderr + run.stdout).toBe(0);
  return outs.map((out) => path.join(out, 'results.json'));
}

async function merge(files: string[], out: string): Promise<string> {
  const run = await execa('node', [BENCH, 'merge', ...files, '--out', out, '--export', 'json,md'], {
    reject: false,
  });
  expect(run.exitCode, run.stderr).toBe(0);
  return path.join(out, 'results.json');
}

const trialOf = (file: string): TrialJson =>
  JSON.parse(readFileSync(file, 'utf8')).variants[0].trials[0] as TrialJson;

describe('a run split into shards and merged', () => {
  let single: TrialJson;
  beforeAll(async () => {
    const [one] = await runShards(1);
    single = trialOf(one as string);
  }, 60_000);

  it('sends exactly the arrivals of one generator from 1 shard, and deploys on its schedule', () => {
    expect(single.requests).toBe(251);
    expect(single.errors).toBe(0);
    expect(single.timeline[0]?.phase).toBe('triggered');
    expect(single.timeline.at(-1)?.phase).toBe('completed');
    // Nothing answers faster than the server's 5 ms (how close to it depends on the machine's load).
    expect(single.latency.overall.p50).toBeGreaterThanOrEqual(4.99);
  });

  for (const [count, threads] of [
    [2, 2],
    [4, 1],
  ] as const) {
    it(`gives the same figures from ${count} shards as separate processes, ${threads} thread(s) each`, async () => {
      const shards = await runShards(count, threads > 1 ? withWorkers : scenario);
      const parts = shards.map(trialOf);
      // Only shard 1 deployed; the others marked the scheduled trigger.
      expect(parts[0]?.timeline.at(-1)?.phase).toBe('completed');
      for (const part of parts.slice(1))
        expect(part.timeline.map((e) => e.phase)).toEqual(['triggered']);
      const merged = trialOf(await merge(shards, path.join(dir, `merged-of${count}`)));
      expect(merged.requests).toBe(single.requests);
      expect(merged.errors).toBe(0);
      expect(merged.latency.overall.count).toBe(single.latency.overall.count);
      // The median of the merged requests lies between the shards' own medians.
      const medians = parts.map((p) => p.latency.overall.p50);
      expect(merged.latency.overall.p50).toBeGreaterThanOrEqual(Math.min(...medians) - 0.01);
      expect(merged.latency.overall.p50).toBeLessThanOrEqual(Math.max(...medians) + 0.01);
      expect(merged.timeline).toEqual(parts[0]?.timeline);
      // Phases: the followers' requests are split by the deployer's end, each boundary to within
      // one 100 ms interval (10 arrivals) of the schedule's truth: an arrival every 10 ms from 0,
      // split at the merged timeline's trigger and end (whenever this run's deploy happened to
      // end). "during" has both boundaries, so up to two intervals (a busy run saw 12 off).
      const at = (phase: string) => merged.timeline.find((e) => e.phase === phase)?.t as number;
      const arrivalsIn = (from: number, to: number) =>
        Array.from({ length: single.requests }, (_, k) => 10 * k).filter((t) => t >= from && t < to)
          .length;
      const scheduled = {
        before: arrivalsIn(0, at('triggered')),
        during: arrivalsIn(at('triggered'), at('completed')),
        after: arrivalsIn(at('completed'), Number.POSITIVE_INFINITY),
      };
      const boundaries = { before: 1, during: 2, after: 1 };
      for (const phase of ['before', 'during', 'after'] as const) {
        expect(
          Math.abs(merged.latency[phase].count - scheduled[phase]),
          `${phase}: ${merged.latency[phase].count} recorded, ${scheduled[phase]} scheduled`,
        ).toBeLessThanOrEqual(10 * boundaries[phase] + 1);
      }
    }, 90_000);
  }

  it('merges associatively: a merge of merges equals one merge of the 4 shards', async () => {
    const files = [1, 2, 3, 4].map((i) => path.join(dir, `of4-shard${i}`, 'results.json'));
    const once = trialOf(await merge(files, path.join(dir, 'assoc-once')));
    // The reports say which shards are in and how far their clocks were from the target's.
    const summary = readFileSync(path.join(dir, 'assoc-once', 'summary.md'), 'utf8');
    // Every shard ran on this machine, against a target on this machine: the true offset is 0. The
    // estimate is good to a round trip and a scheduling delay (a few ms idle, more when busy); one
    // off by a second would be the Date header's whole seconds read as they are, the method failing.
    const { shard } = JSON.parse(
      readFileSync(path.join(dir, 'assoc-once', 'results.json'), 'utf8'),
    );
    expect(shard.shards).toHaveLength(4);
    for (const { clockOffsetMs } of shard.shards)
      expect(Math.abs(clockOffsetMs)).toBeLessThan(1000);
    expect(summary).toMatch(
      /Sharded run: all 4 shards, started together at .*Clocks against the target's Date header: 1: [+-]\d+ ms, 2: [+-]\d+ ms, 3: [+-]\d+ ms, 4: [+-]\d+ ms; spread \d+ ms/,
    );
    const left = await merge(files.slice(0, 2), path.join(dir, 'assoc-12'));
    const right = await merge(files.slice(2), path.join(dir, 'assoc-34'));
    const twice = trialOf(await merge([left, right], path.join(dir, 'assoc-twice')));
    // Every figure, to 6 decimals (sums in another order differ in the last bits of a double); the
    // encoded histograms differ in layout only, and their figures are among these.
    const figures = (trial: TrialJson) =>
      JSON.stringify({ ...trial, recording: undefined }, (_key, value) =>
        typeof value === 'number' ? Number(value.toFixed(6)) : value,
      );
    expect(figures(twice)).toBe(figures(once));
  }, 60_000);

  it('refuses shards of different runs, and the same shard twice, with one line and exit 2', async () => {
    const files = [
      path.join(dir, 'of2-shard1', 'results.json'),
      path.join(dir, 'of4-shard2', 'results.json'),
    ];
    const run = await execa('node', [BENCH, 'merge', ...files, '--out', path.join(dir, 'bad')], {
      reject: false,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/shard of 4 starting .*, not of 2 starting/);
    const twice = path.join(dir, 'of4-shard2', 'results.json');
    const again = await execa(
      'node',
      [BENCH, 'merge', twice, twice, '--out', path.join(dir, 'bad2')],
      { reject: false },
    );
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('shard 2 is already in');
  });

  it('refuses an embedded platform, a bad shard, variant or start time, before any load', async () => {
    const embedded = path.join(REPO, 'scenarios/preboot.yaml');
    const cases: [string[], RegExp][] = [
      [
        [embedded, '--shard', '1/2', '--variant', 'preboot'],
        /--shard: the scenario needs target.url/,
      ],
      [[scenario, '--shard', '5/4'], /--shard 5\/4: expected i\/N with 1 <= i <= N/],
      [
        [scenario, '--shard', '1/2', '--variant', 'nope'],
        /--variant nope: .* has no such variant \(it has deploy\)/,
      ],
      [[scenario, '--shard', '1/2', '--start-at', 'soon'], /--start-at soon: expected a time/],
    ];
    for (const [args, message] of cases) {
      const run = await execa('node', [BENCH, 'run', ...args, '--out', path.join(dir, 'refused')], {
        reject: false,
      });
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('fails a shard that is ready after the start time, with exit code 3, rather than measure out of step', async () => {
    const late = new Date(Date.now() - 10_000).toISOString();
    const run = await execa(
      'node',
      [
        BENCH,
        'run',
        scenario,
        '--shard',
        '2/2',
        '--start-at',
        late,
        '--out',
        path.join(dir, 'late'),
        '--quiet',
      ],
      { reject: false },
    );
    expect(run.exitCode).toBe(3);
    expect(run.stdout + run.stderr).toMatch(
      /shard 2\/2 was ready 1\d\.\d s after the start time .*: choose a later --start-at/,
    );
  });
});
