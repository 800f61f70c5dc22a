import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScenario } from 'deploy-bench';
import { afterEach, describe, expect, it } from 'vitest';
import { plainConnection } from '../../src/load/connection.ts';
import { shareOfLoad } from '../../src/load/share.ts';
import { prepareMeasuredLoad } from '../../src/measured-load/prepare.ts';
import { startClock } from '../../src/process/clock.ts';
import { sleep } from '../../src/process/sleep.ts';
import { percentileMs } from '../../src/results/histogram.ts';
import type { Recording } from '../../src/results/recording.ts';
import type { LoadConfig } from '../../src/scenario/schema.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const common = {
  timeout: 5000,
  releaseHeader: 'x-release',
  keepAlive: true,
  probe: 0,
  request: { method: 'GET' as const, path: '/', headers: {} },
};

/** The closed model's load of these tests: 4 users over 2 threads, no think time. */
const FOUR_USERS_TWO_THREADS: LoadConfig = {
  model: 'closed',
  users: 4,
  thinkTime: 0,
  backoff: 75,
  workers: 2,
  ...common,
};

/**
 * Runs the load for `ms` in `threads` threads with a deploy from 400 to 800 ms, as a trial does.
 * The server answers after 10 ms, with the release that is live.
 */
async function measure(load: LoadConfig, threads: number, ms: number): Promise<Recording> {
  let release = 'v1';
  const server = await startHttpServer((_req, res) => {
    setTimeout(() => res.writeHead(200, { 'x-release': release }).end('ok'), 10);
  });
  servers.push(server);
  const measured = await prepareMeasuredLoad({
    target: plainConnection(server.origin),
    // The open model's schedule ends with the measurement, however late the stop comes.
    share: { ...shareOfLoad(load, 0, 1), arrivalsUntilMs: ms },
    threads,
    recorder: { intervalMs: 100, slowThresholdMs: 1000 },
  });
  try {
    const clock = startClock();
    measured.start(clock);
    await sleep(400 - clock.now());
    measured.event({ t: clock.now(), phase: 'triggered' });
    release = 'v2';
    await sleep(800 - clock.now());
    measured.event({ t: clock.now(), phase: 'completed' });
    await sleep(ms - clock.now());
    await measured.stop('drain');
    return (await measured.finish(clock.now())).recording;
  } finally {
    await measured.dispose();
  }
}

describe('the load in worker threads', () => {
  it('sends the closed model from two threads, users numbered apart, the deploy on every thread', async () => {
    const recording = await measure(FOUR_USERS_TWO_THREADS, 2, 1200);
    const { overall, phases } = recording;
    // 4 users, one request per ~10 ms each (far fewer on a busy machine), for 1.2 s.
    expect(overall.requests).toBeGreaterThan(12);
    expect(overall.failures).toBe(0);
    // Nothing answers faster than the server's 10 ms: a thread's clock off from the trial's would.
    expect(percentileMs(overall.latency, 50)).toBeGreaterThanOrEqual(9.99);
    // The events reached both threads: every phase has requests, and the new release is after it.
    for (const phase of ['before', 'during', 'after'] as const)
      expect(phases[phase].requests).toBeGreaterThan(0);
    expect(phases.before.releases).toEqual({ v1: phases.before.requests });
    expect(phases.after.releases).toEqual({ v2: phases.after.requests });
    expect(recording.timeline.map((e) => e.phase)).toEqual(['triggered', 'completed']);
    const users = new Set(recording.longest.map((l) => l.user));
    expect([...users].every((u) => u >= 0 && u < 4)).toBe(true);
    expect(users.size).toBeGreaterThan(1);
  });

  it('takes a slow threshold known only at the start (a watch’s baseline) into every thread', async () => {
    const server = await startHttpServer((_req, res) => {
      setTimeout(() => res.writeHead(200).end('ok'), 10);
    });
    servers.push(server);
    const measured = await prepareMeasuredLoad({
      target: plainConnection(server.origin),
      share: shareOfLoad(FOUR_USERS_TWO_THREADS, 0, 1),
      threads: 2,
      recorder: { intervalMs: 100, splitLater: true },
    });
    try {
      const clock = startClock();
      // Every answer takes 10 ms: slower than this, so every request counts as disruption.
      measured.start(clock, { ms: 5, source: 'baseline' });
      await sleep(500);
      await measured.stop('drain');
      const { recording } = await measured.finish(clock.now());
      expect(recording.disruption).toMatchObject({ thresholdMs: 5, thresholdSource: 'baseline' });
      expect(recording.overall.requests).toBeGreaterThan(4);
      // Both threads' requests were slow by it: disruption from the first answer's start on.
      expect(recording.disruption.spans.length).toBeGreaterThan(0);
      expect(recording.disruption.ms).toBeGreaterThan(recording.durationMs / 2);
    } finally {
      await measured.dispose();
    }
  });

  it('interleaves the open model so that two threads send exactly what one would', async () => {
    // 100/s for 1.005 s: arrivals at 0, 10, …, 1000 ms, the stop 5 ms after the last one.
    const load: LoadConfig = {
      model: 'open',
      rate: 100,
      arrival: 'uniform',
      maxInFlight: 100,
      workers: 2,
      ...common,
    };
    const [one, two] = [await measure(load, 1, 1005), await measure(load, 2, 1005)];
    expect(one.overall.requests).toBe(101);
    expect(two.overall.requests).toBe(101);
    // Every 100 ms interval holds the same 10 arrivals, whoever sent them.
    expect(two.intervals.map((b) => b.requests)).toEqual(one.intervals.map((b) => b.requests));
  });

  it('runs a whole trial with `load.workers: 2`, the deploy command switching the release', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-workers-'));
    const flag = path.join(dir, 'deployed');
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'x-release': existsSync(flag) ? 'v2' : 'v1' }).end('ok');
    });
    servers.push(server);
    const file = path.join(dir, 'workers.yaml');
    writeFileSync(
      file,
      `name: workers
target: { url: "${server.origin}/" }
load: { users: 4, workers: 2 }
timeline: { settle: 0s, warmup: 500ms, cooldown: 500ms }
analysis: { interval: 100ms }
variants: [{ name: switch, command: "sleep 0.2 && touch ${flag}" }]
`,
    );
    const run = await runScenario(file, { outDir: path.join(dir, 'out'), formats: ['json'] });
    const trial = run.variants[0]?.trials[0]?.result;
    expect(trial?.status).toBe('completed');
    const recording = trial?.recording as Recording;
    expect(recording.overall.requests).toBeGreaterThan(20);
    expect(recording.overall.failures).toBe(0);
    expect(recording.timeline[0]?.phase).toBe('triggered');
    expect(recording.timeline.at(-1)?.phase).toBe('completed');
    expect(Object.keys(recording.phases.before.releases)).toEqual(['v1']);
    expect(Object.keys(recording.phases.after.releases)).toEqual(['v2']);
    // Both threads' views of each instance, summed: every response is in one lane.
    expect(recording.instances.map((i) => i.id)).toEqual(['v1', 'v2']);
    expect(recording.instances.reduce((n, i) => n + i.requests, 0)).toBe(
      recording.overall.requests,
    );
    // The busiest thread's event loop, as measured inside the threads.
    expect(trial?.generator?.eventLoopUtilization).toBeGreaterThan(0);
    expect(trial?.generator?.eventLoopUtilization).toBeLessThanOrEqual(1);
  });
});
