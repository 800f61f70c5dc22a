import { afterEach, describe, expect, it } from 'vitest';
import { ClosedModel } from '../../src/load/closed-model.ts';
import { plainConnection } from '../../src/load/connection.ts';
import { OpenModel } from '../../src/load/open-model.ts';
import { startClock } from '../../src/process/clock.ts';
import { sleep } from '../../src/process/sleep.ts';
import type { Sample } from '../../src/results/sample.ts';
import type { OpenLoadConfig } from '../../src/scenario/schema.ts';
import { startHttpServer, startTcpServer, type TestServer } from '../helpers/servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const open = (overrides: Partial<OpenLoadConfig>): OpenLoadConfig => ({
  model: 'open',
  rate: 100,
  arrival: 'uniform',
  maxInFlight: 1000,
  timeout: 5000,
  releaseHeader: 'x-release',
  keepAlive: true,
  probe: 0,
  workers: 1,
  request: { method: 'GET', path: '/', headers: {} },
  ...overrides,
});

async function runOpen(origin: string, ms: number, load: OpenLoadConfig) {
  const samples: Sample[] = [];
  const dropped: number[] = [];
  const clock = startClock();
  const model = new OpenModel({
    target: plainConnection(origin),
    load,
    clock,
    onSample: (s) => samples.push(s),
    onDropped: (t) => dropped.push(t),
  });
  model.start();
  await sleep(ms);
  // The timer may fire late on a busy machine: arrivals count up to the moment the stop came.
  const stoppedAt = clock.now();
  await model.stop('drain');
  return { samples: samples.sort((a, b) => a.t - b.t), dropped, model, stoppedAt };
}

describe('open model', () => {
  it('starts requests on an even schedule at the configured rate', async () => {
    const server = await startHttpServer((_req, res) => res.end('ok'));
    servers.push(server);
    const { samples, stoppedAt } = await runOpen(server.origin, 1000, open({ rate: 200 }));
    // An arrival every 5 ms from 0 until the stop: a drain sends those already due, however late.
    const due = Math.floor(stoppedAt / 5) + 1;
    expect(samples.length).toBeGreaterThanOrEqual(due);
    expect(samples.length).toBeLessThanOrEqual(due + 1);
    // Intended start times are exactly 5 ms apart, whatever the event loop did.
    for (let i = 1; i < samples.length; i++) {
      expect((samples[i] as Sample).t - (samples[i - 1] as Sample).t).toBeCloseTo(5, 6);
    }
    expect(samples.every((s) => s.status === 200 && s.user === -1)).toBe(true);
  });

  it('draws Poisson arrivals with the configured mean rate, the same for the same seed', async () => {
    const server = await startHttpServer((_req, res) => res.end('ok'));
    servers.push(server);
    const first = await runOpen(server.origin, 1000, open({ rate: 300, arrival: 'poisson' }));
    const gaps = first.samples.slice(1).map((s, i) => s.t - (first.samples[i] as Sample).t);
    const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(meanGap).toBeGreaterThan(2.5);
    expect(meanGap).toBeLessThan(4.2);
    expect(new Set(gaps.map((g) => g.toFixed(3))).size).toBeGreaterThan(gaps.length / 2);
  });

  it('sees a stall with every arrival it delays, where a closed model sees one request per user', async () => {
    let stallUntil = 0;
    const server = await startHttpServer((_req, res) => {
      const wait = Math.max(0, stallUntil - Date.now());
      setTimeout(() => res.end('ok'), wait);
    });
    servers.push(server);
    const stall = async () => {
      await sleep(300);
      stallUntil = Date.now() + 1000;
    };

    const openRun = runOpen(server.origin, 1600, open({ rate: 100 }));
    await stall();
    const { samples: openSamples } = await openRun;

    const closedSamples: Sample[] = [];
    const closed = new ClosedModel({
      target: plainConnection(server.origin),
      clock: startClock(),
      onSample: (s) => closedSamples.push(s),
      load: {
        model: 'closed',
        users: 1,
        thinkTime: 10,
        backoff: 75,
        timeout: 5000,
        releaseHeader: 'x-release',
        keepAlive: true,
        probe: 0,
        workers: 1,
        request: { method: 'GET', path: '/', headers: {} },
      },
    });
    closed.start();
    await stall();
    await sleep(1300);
    await closed.stop('drain');

    const slow = (samples: Sample[]) => samples.filter((s) => s.latencyMs > 200);
    // The closed user sent one request into the stall and waited; the open model kept sending, and
    // every arrival of the stall's first 700 ms (about 70 at 100/s) waited past 200 ms too.
    expect(slow(closedSamples).length).toBe(1);
    // The stall began with the arrival that waited longest (the whole stall, checked below).
    const first = openSamples.reduce((a, b) => (b.latencyMs > a.latencyMs ? b : a)).t;
    const inStall = openSamples.filter((s) => s.t >= first && s.t < first + 700);
    expect(inStall.length).toBeGreaterThan(50);
    expect(slow(inStall).length).toBe(inStall.length);
    // Measured from the intended start, the first delayed arrival waited the whole stall.
    expect(Math.max(...openSamples.map((s) => s.latencyMs))).toBeGreaterThan(900);
    // ... while its service time, from the actual send, says the same: it was sent on time.
    const worst = openSamples.reduce((a, b) => (b.latencyMs > a.latencyMs ? b : a));
    expect(worst.latencyMs - (worst.serviceMs ?? 0)).toBeLessThan(300);
  });

  it('counts arrivals beyond maxInFlight as dropped instead of sending them', async () => {
    const server = await startTcpServer(() => {}); // accepts, never answers
    servers.push(server);
    const { samples, dropped } = await runOpen(
      server.origin,
      500,
      open({ rate: 100, maxInFlight: 5, timeout: 300 }),
    );
    // 5 in flight until they time out at 300 ms, then 5 more; everything else was dropped, not lost.
    expect(samples.filter((s) => s.error === 'timeout').length).toBeGreaterThanOrEqual(5);
    expect(samples.length + dropped.length).toBeGreaterThanOrEqual(49);
    expect(dropped.length).toBeGreaterThan(30);
  });
});
