import { afterEach, describe, expect, it } from 'vitest';
import { bareClientP50 } from '../../bench/accuracy-cases.ts';
import { ClosedModel } from '../../src/load/closed-model.ts';
import { plainConnection } from '../../src/load/connection.ts';
import { startClock } from '../../src/process/clock.ts';
import { sleep } from '../../src/process/sleep.ts';
import { Recorder } from '../../src/record/recorder.ts';
import { percentileMs } from '../../src/results/histogram.ts';
import type { Sample } from '../../src/results/sample.ts';
import type { ClosedLoadConfig } from '../../src/scenario/schema.ts';
import {
  closedPort,
  startHttpServer,
  startTcpServer,
  type TestServer,
} from '../helpers/servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function loadConfig(overrides: Partial<ClosedLoadConfig> = {}): ClosedLoadConfig {
  return {
    model: 'closed',
    users: 2,
    thinkTime: 0,
    timeout: 5000,
    backoff: 75,
    releaseHeader: 'x-release',
    keepAlive: true,
    probe: 0,
    workers: 1,
    request: { method: 'GET', path: '/', headers: {} },
    ...overrides,
  };
}

/** Runs the closed model against `origin` for `ms` and returns every sample. */
async function runFor(origin: string, ms: number, load: ClosedLoadConfig): Promise<Sample[]> {
  const samples: Sample[] = [];
  const model = new ClosedModel({
    // As a run connects: keep-alive as the load says (connection.ts `targetConnection`).
    target: { ...plainConnection(origin), keepAlive: load.keepAlive },
    load,
    clock: startClock(),
    onSample: (s) => samples.push(s),
  });
  model.start();
  await sleep(ms);
  await model.stop('drain');
  return samples;
}

describe('the kind of connection each request was sent on', () => {
  /** A server that counts the connections it accepted: the ground truth for "new". */
  async function countingConnections(closeEach: boolean) {
    let connections = 0;
    const server = await startHttpServer((req, res) => {
      if (!(req.socket as { counted?: boolean }).counted) {
        (req.socket as { counted?: boolean }).counted = true;
        connections++;
      }
      if (closeEach) res.setHeader('connection', 'close');
      res.end('ok');
    });
    servers.push(server);
    return { server, connections: () => connections };
  }

  it('kept alive: one new connection per user, then reused', async () => {
    const { server, connections } = await countingConnections(false);
    const samples = await runFor(server.origin, 300, loadConfig());
    const fresh = samples.filter((s) => s.connection === 'new').length;
    expect(fresh).toBe(connections());
    expect(samples.filter((s) => s.connection === 'reused').length).toBe(samples.length - fresh);
  });

  it('new for every request when each connection closes after its answer, or with keepAlive: false', async () => {
    for (const [closeEach, keepAlive] of [
      [true, true],
      [false, false],
    ]) {
      const { server, connections } = await countingConnections(closeEach as boolean);
      const samples = await runFor(server.origin, 300, loadConfig({ keepAlive }));
      expect(samples.length).toBeGreaterThan(4);
      // Every request went out on a connection of its own, and was recorded so.
      expect(samples.every((s) => s.connection === 'new')).toBe(true);
      expect(connections()).toBe(samples.length);
    }
  });
});

describe('closed model against ground-truth servers', () => {
  it('measures a known 20 ms delay: never below it, and close to a bare client beside it', async () => {
    const server = await startHttpServer((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'x-release': 'v7' }).end('ok'), 20);
    });
    servers.push(server);
    const recorder = new Recorder();
    const model = new ClosedModel({
      target: plainConnection(server.origin),
      load: loadConfig(),
      clock: startClock(),
      onSample: (s) => recorder.record(s),
    });
    model.start();
    // A bare client alongside sees the machine as the model does; on an idle machine the two agree
    // to half a millisecond (npm run bench:accuracy), on a busy one both wait for the CPU.
    const bare = await bareClientP50(server.origin, 1500);
    await model.stop('drain');
    const { overall } = recorder.finish(1500);
    expect(overall.requests).toBeGreaterThan(5);
    expect(overall.failures).toBe(0);
    const p50 = percentileMs(overall.latency, 50);
    // Never less than the server's own 20 ms; near the bare client's figure (a bug that adds or
    // double-counts time shows, a busy machine's scheduling does not).
    expect(p50).toBeGreaterThanOrEqual(19.95);
    expect(Math.abs(p50 - bare)).toBeLessThanOrEqual(2 + 0.5 * bare);
    expect(overall.releases).toEqual({ v7: overall.requests });
  });

  it('records refused connections and backs off instead of spinning', async () => {
    const port = await closedPort();
    const samples = await runFor(
      `http://127.0.0.1:${port}`,
      1000,
      loadConfig({ users: 1, backoff: 100 }),
    );
    expect(samples.length).toBeGreaterThan(3);
    // One user, 100 ms back-off: about ten tries in a second, never thousands.
    expect(samples.length).toBeLessThanOrEqual(12);
    for (const sample of samples) {
      expect(sample).toMatchObject({ status: 0, error: 'refused', user: 0 });
      // Refused at once, not waited out: far below the back-off, let alone a timeout.
      expect(sample.latencyMs).toBeLessThan(1000);
    }
  });

  it('classifies a reset connection', async () => {
    const server = await startTcpServer((socket) => socket.resetAndDestroy());
    servers.push(server);
    const samples = await runFor(server.origin, 500, loadConfig({ users: 1 }));
    expect(samples.length).toBeGreaterThan(0);
    expect(new Set(samples.map((s) => s.error))).toEqual(new Set(['reset']));
  });

  it('times a request out after the configured timeout and records how long it waited', async () => {
    const server = await startTcpServer(() => {}); // accepts, never answers
    servers.push(server);
    const samples = await runFor(server.origin, 450, loadConfig({ users: 1, timeout: 300 }));
    expect(samples.length).toBeGreaterThanOrEqual(1);
    const first = samples[0] as Sample;
    expect(first).toMatchObject({ status: 0, error: 'timeout' });
    expect(first.latencyMs).toBeGreaterThanOrEqual(299);
    // The 300 ms timeout ended it, not something later (a late timer on a busy machine is allowed).
    expect(first.latencyMs).toBeLessThan(1300);
  });

  it('counts 5xx responses as failures with their status', async () => {
    const server = await startHttpServer((_req, res) => res.writeHead(503).end('down'));
    servers.push(server);
    const samples = await runFor(server.origin, 200, loadConfig({ users: 1 }));
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => s.status === 503 && s.error === undefined && s.bytes === 4)).toBe(
      true,
    );
  });

  it('stops in flight with abort and records nothing it cut', async () => {
    const server = await startTcpServer(() => {});
    servers.push(server);
    const samples: Sample[] = [];
    const model = new ClosedModel({
      target: plainConnection(server.origin),
      load: loadConfig({ users: 3, timeout: 10_000 }),
      clock: startClock(),
      onSample: (s) => samples.push(s),
    });
    model.start();
    await sleep(200);
    const stopping = performance.now();
    await model.stop('abort');
    // Cut, not waited out: the requests' 10 s timeout did not pass.
    expect(performance.now() - stopping).toBeLessThan(5000);
    expect(samples).toEqual([]);
  });

  it('drains: the requests in flight are recorded, and no user waits out its think time', async () => {
    const server = await startHttpServer((_req, res) => {
      setTimeout(() => res.end('ok'), 100);
    });
    servers.push(server);
    const samples: Sample[] = [];
    const model = new ClosedModel({
      target: plainConnection(server.origin),
      load: loadConfig({ users: 2, thinkTime: 5000 }),
      clock: startClock(),
      onSample: (s) => samples.push(s),
    });
    model.start();
    await sleep(50);
    const stopping = performance.now();
    await model.stop('drain');
    // Both first requests were in flight: they end ~50 ms later and count; the 5 s pause is cut.
    expect(samples).toHaveLength(2);
    expect(performance.now() - stopping).toBeLessThan(4000);
  });
});
