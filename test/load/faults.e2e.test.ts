import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trialMetrics } from '../../src/analysis/trial-metrics.ts';
import { ClosedModel } from '../../src/load/closed-model.ts';
import { plainConnection } from '../../src/load/connection.ts';
import { startClock } from '../../src/process/clock.ts';
import { sleep } from '../../src/process/sleep.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { ClosedLoadConfig } from '../../src/scenario/schema.ts';
import { startTcpServer, type TestServer } from '../helpers/servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/**
 * A raw TCP server that answers each request with `respond(n)` for the n-th request it reads (from
 * 0), which may misbehave; the others get a proper keep-alive 200.
 */
async function faultyServer(
  faults: number,
  misbehave: (socket: net.Socket) => void,
): Promise<TestServer> {
  let seen = 0;
  const server = await startTcpServer((socket) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      while (buffer.includes('\r\n\r\n')) {
        buffer = buffer.slice(buffer.indexOf('\r\n\r\n') + 4);
        if (seen++ < faults) {
          misbehave(socket);
          return;
        }
        socket.write(OK);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  return server;
}

async function measure(origin: string, ms: number, overrides: Partial<ClosedLoadConfig> = {}) {
  const recorder = new Recorder();
  const model = new ClosedModel({
    target: plainConnection(origin),
    clock: startClock(),
    onSample: (s) => recorder.record(s),
    load: {
      model: 'closed',
      users: 1,
      thinkTime: 0,
      backoff: 10,
      timeout: 2000,
      releaseHeader: 'x-release',
      keepAlive: true,
      probe: 0,
      workers: 1,
      request: { method: 'GET', path: '/', headers: {} },
      ...overrides,
    },
  });
  model.start();
  await sleep(ms);
  await model.stop('drain');
  return trialMetrics(recorder.finish(ms));
}

// The faults are counted exactly; what follows them only has to go on (how much of it a busy machine
// sends in 500 ms varies).
describe('target faults, each counted exactly and the run going on', () => {
  it('a reset before the response', async () => {
    const server = await faultyServer(5, (socket) => socket.resetAndDestroy());
    const metrics = await measure(server.origin, 500);
    expect(metrics.errorsByKind.reset).toBe(5);
    expect(metrics.errors).toBe(5);
    expect(metrics.successes).toBeGreaterThan(0);
  });

  it('a reset in the middle of the body', async () => {
    const server = await faultyServer(4, (socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial');
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    const metrics = await measure(server.origin, 600);
    expect(metrics.errorsByKind.reset).toBe(4);
    expect(metrics.errors).toBe(4);
    expect(metrics.successes).toBeGreaterThan(0);
  });

  it('malformed HTTP', async () => {
    const server = await faultyServer(3, (socket) => socket.end('HTTP/9 nonsense\r\n\r\n'));
    const metrics = await measure(server.origin, 500);
    expect(metrics.errorsByKind.other).toBe(3);
    expect(metrics.errors).toBe(3);
    expect(metrics.successes).toBeGreaterThan(0);
  });

  it('no response until the timeout', async () => {
    const server = await faultyServer(2, () => {});
    const metrics = await measure(server.origin, 1200, { timeout: 300 });
    expect(metrics.errorsByKind.timeout).toBe(2);
    expect(metrics.errors).toBe(2);
    expect(metrics.longestTransactionMs).toBeGreaterThanOrEqual(299);
    // Ended by the timeout, not by the 1.2 s run's end (a busy machine's late timer is allowed).
    expect(metrics.longestTransactionMs).toBeLessThan(1100);
    expect(metrics.successes).toBeGreaterThan(0);
  });

  it('a body trickled one byte every 100 ms is measured to its end', async () => {
    const server = await faultyServer(1, (socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n');
      let sent = 0;
      const timer = setInterval(() => {
        socket.write('x');
        if (++sent === 5) clearInterval(timer);
      }, 100);
    });
    const metrics = await measure(server.origin, 1000);
    expect(metrics.errors).toBe(0);
    expect(metrics.longestTransactionMs).toBeGreaterThanOrEqual(490);
    expect(metrics.longestTransactionMs).toBeLessThan(1500);
  });

  it('a server that accepts and never reads ends in timeouts', async () => {
    const silent = net.createServer((socket) => socket.pause());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const metrics = await measure(`http://127.0.0.1:${port}`, 700, { timeout: 200 });
      expect(metrics.errors).toBe(metrics.errorsByKind.timeout);
      expect(metrics.errorsByKind.timeout).toBeGreaterThanOrEqual(2);
      expect(metrics.successes).toBe(0);
    } finally {
      silent.close();
    }
  });

  it('a body of 300 MB is streamed and counted, never kept', async () => {
    const size = 300 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 97);
    const server = await faultyServer(1, (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n`);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
    const before = process.memoryUsage().rss;
    const recorder = new Recorder();
    let samples = 0;
    const model = new ClosedModel({
      target: plainConnection(server.origin),
      clock: startClock(),
      onSample: (s) => {
        samples++;
        recorder.record(s);
      },
      load: {
        model: 'closed',
        users: 1,
        thinkTime: 0,
        backoff: 10,
        timeout: 30_000,
        releaseHeader: 'x-release',
        keepAlive: true,
        probe: 0,
        workers: 1,
        request: { method: 'GET', path: '/', headers: {} },
      },
    });
    model.start();
    // Wait for the big response, then a few small ones.
    while (samples < 3) await sleep(50);
    await model.stop('drain');
    const { overall } = recorder.finish(0);
    expect(overall.failures).toBe(0);
    expect(overall.bytes).toBeGreaterThanOrEqual(size);
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  }, 60_000);
});
