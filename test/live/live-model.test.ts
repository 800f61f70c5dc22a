import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseGate } from '../../src/gates/parse.ts';
import { liveRegistry } from '../../src/live/metrics.ts';
import { LiveModel } from '../../src/live/model.ts';
import { LiveServer, ServeError } from '../../src/live/server.ts';
import { LoadCounters, type LoadProgress } from '../../src/measured-load/counters.ts';
import { LiveSeries } from '../../src/measured-load/live-series.ts';
import type { LiveInstance } from '../../src/platform/instance-log.ts';
import { startClock } from '../../src/process/clock.ts';
import type { GateResult } from '../../src/results/run.ts';
import type { Sample } from '../../src/results/sample.ts';
import type { LivePlatform } from '../../src/trial/observer.ts';

/** A load whose counters the test sets, and a platform whose processes it lists. */
function fakeRun(gates: string[] = [], loadModel: 'closed' | 'open' = 'closed') {
  const model = new LiveModel(
    'demo',
    gates.map((g) => parseGate(g, ['stop-start', 'preboot'], [])),
    [],
    loadModel,
  );
  const counters = new LoadCounters();
  const answeredBy = new Map<string, number>();
  let inFlight: { count: number; oldestStart?: number } = { count: 0 };
  const clock = startClock();
  const progress = (): LoadProgress => counters.progress(inFlight, answeredBy, clock.now());
  const answer = (instance: string, n: number, extra: Partial<Sample> = {}) => {
    for (let i = 0; i < n; i++)
      counters.record({ user: 0, t: 0, latencyMs: 5, status: 200, bytes: 1, instance, ...extra });
    answeredBy.set(instance, (answeredBy.get(instance) ?? 0) + n);
  };
  let processes: LiveInstance[] = [];
  const platform: LivePlatform = {
    live: () => processes,
    lifecycle: () =>
      processes.map((p) => ({
        id: p.id,
        release: p.id.split('@')[1] ?? '',
        startedAt: 0,
        upAt: null,
        routedAt: null,
        unroutedAt: null,
        stoppingAt: null,
        stoppedAt: null,
        exit: null,
      })),
  };
  const start = () => {
    model.runStarted({
      variants: ['stop-start', 'preboot'],
      trialsPerVariant: 1,
      settleMs: 0,
      warmupMs: 1000,
      cooldownMs: 1000,
    });
    model.trialStarted({ variant: 'preboot', trial: 1 });
    model.platformUp(platform);
    model.stage('warm-up');
    model.loadStarted({ clock, progress, series: () => new LiveSeries() });
  };
  return {
    model,
    start,
    answer,
    setProcesses: (list: LiveInstance[]) => {
      processes = list;
    },
    setInFlight: (value: typeof inFlight) => {
      inFlight = value;
    },
    clock,
  };
}

const up = (id: string): LiveInstance => ({ id, state: 'up', forMs: 1, routed: true });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the live model', () => {
  it('gives a stopped process no share, whatever it answered in the window', () => {
    const run = fakeRun();
    run.setProcesses([up('web.1@v1'), { ...up('web.1@v2'), state: 'booting' }]);
    run.start();
    for (let i = 0; i < 8; i++) {
      run.answer('web.1@v1', 10);
      vi.advanceTimersByTime(250);
    }
    let live = run.model.snapshot();
    expect(live.instances.map((i) => [i.id, i.state, i.share])).toEqual([
      ['web.1@v1', 'up', 1],
      ['web.1@v2', 'booting', 0],
    ]);
    expect(live.load?.rate).toBeCloseTo(40, 0);
    // The switch: v2 answers, v1 stops a moment later, within the same two seconds.
    run.setProcesses([{ ...up('web.1@v1'), state: 'stopped' }, up('web.1@v2')]);
    for (let i = 0; i < 2; i++) {
      run.answer('web.1@v2', 10);
      vi.advanceTimersByTime(250);
    }
    live = run.model.snapshot();
    const v1 = live.instances.find((i) => i.id === 'web.1@v1');
    const v2 = live.instances.find((i) => i.id === 'web.1@v2');
    expect(v1).toMatchObject({ state: 'stopped', share: 0, requests: 80 });
    expect(v2?.share).toBeGreaterThan(0);
    run.model.close();
  });

  it('keeps a gate that failed failed, whatever comes after (never back)', () => {
    const run = fakeRun(['preboot.errors == 0', 'preboot.longest < 2s']);
    run.start();
    run.answer('web.1@v1', 5);
    expect(run.model.gatesNow().map((g) => g.status)).toEqual(['holding', 'holding']);
    // A request in flight for 3 s: the longest is at least that, whatever it ends as.
    run.setInFlight({ count: 1, oldestStart: run.clock.now() - 3000 });
    expect(run.model.gatesNow().map((g) => g.status)).toEqual(['holding', 'failed']);
    run.setInFlight({ count: 0 });
    // The run ends interrupted: its own verdict does not evaluate the gates; the failure stays.
    const notEvaluated = (expression: string): GateResult => ({
      expression,
      source: expression,
      variant: 'preboot',
      evaluated: false,
      passed: false,
      actual: Number.NaN,
      threshold: 0,
      unit: 'count',
      comparator: '==',
      basis: 'no trial',
      problem: 'not evaluated: the run was interrupted',
    });
    run.model.runEnded({
      line: 'interrupted',
      gates: [notEvaluated('preboot.errors == 0'), notEvaluated('preboot.longest < 2s')],
    });
    expect(run.model.gatesNow().map((g) => g.status)).toEqual(['not-evaluated', 'failed']);
  });
});

describe('the user wait a live gate relies on', () => {
  it('is at least a request in flight for a closed model, whose user waits for it', () => {
    const closed = fakeRun(['preboot.user-wait < 2s'], 'closed');
    closed.start();
    closed.setInFlight({ count: 1, oldestStart: closed.clock.now() - 3000 });
    expect(closed.model.gatesNow()[0]?.status).toBe('failed');
    closed.model.close();
  });

  it('is only the longest success for an open model, whose failed arrivals wait for nobody', () => {
    const open = fakeRun(['preboot.user-wait < 2s'], 'open');
    open.start();
    open.setInFlight({ count: 1, oldestStart: open.clock.now() - 3000 });
    open.answer('web.1@v1', 1, { status: 0, error: 'timeout', latencyMs: 5000 });
    expect(open.model.gatesNow()[0]?.status).toBe('holding');
    open.answer('web.1@v1', 1, { latencyMs: 2500 });
    expect(open.model.gatesNow()[0]?.status).toBe('failed');
    open.model.close();
  });
});

describe('the live metrics', () => {
  it("renders Prometheus' text format from the model: counters, a histogram, gauges", async () => {
    const run = fakeRun(['preboot.errors == 0']);
    run.setProcesses([up('web.1@v1')]);
    run.start();
    run.answer('web.1@v1', 3);
    run.answer('web.1@v1', 2, { status: 0, error: 'refused', latencyMs: 1500 });
    vi.advanceTimersByTime(500);
    run.answer('web.1@v1', 1);
    vi.advanceTimersByTime(500);
    const text = await liveRegistry(run.model, {
      seconds: () => 0.25,
      timed: (work) => work(),
    }).metrics();
    expect(text).toContain('# TYPE deploy_bench_requests_total counter');
    expect(text).toContain(
      'deploy_bench_requests_total{variant="preboot",endpoint="",outcome="ok",connection="unknown"} 4',
    );
    expect(text).toContain(
      'deploy_bench_requests_total{variant="preboot",endpoint="",outcome="refused",connection="unknown"} 2',
    );
    expect(text).toContain('# TYPE deploy_bench_request_duration_seconds histogram');
    expect(text).toContain(
      'deploy_bench_request_duration_seconds_bucket{variant="preboot",le="0.005"} 4',
    );
    expect(text).toContain(
      'deploy_bench_request_duration_seconds_bucket{variant="preboot",le="1"} 4',
    );
    expect(text).toContain(
      'deploy_bench_request_duration_seconds_bucket{variant="preboot",le="2.5"} 6',
    );
    expect(text).toContain(
      'deploy_bench_request_duration_seconds_bucket{variant="preboot",le="+Inf"} 6',
    );
    expect(text).toContain('deploy_bench_request_duration_seconds_count{variant="preboot"} 6');
    expect(text).toContain('deploy_bench_request_duration_seconds_sum{variant="preboot"} 3.02');
    expect(text).toMatch(
      /deploy_bench_instance_traffic_ratio\{variant="preboot",target_instance="web.1@v1",release="v1"\} 1/,
    );
    expect(text).toContain(
      'deploy_bench_instance_state{variant="preboot",target_instance="web.1@v1",state="up"} 1',
    );
    expect(text).toContain('deploy_bench_gate_failed{gate="preboot.errors == 0"} 1');
    expect(text).toContain('deploy_bench_run_ended 0');
    expect(text).toContain('deploy_bench_serve_busy_seconds_total 0.25');
    run.model.close();
  });
});

describe('the live server', () => {
  const get = (url: string, method = 'GET') =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const request = http.request(url, { method }, (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
          // The event stream stays open: its first frame is enough.
          if (response.headers['content-type'] === 'text/event-stream' && body.includes('\n\n'))
            response.destroy();
        });
        response.on('close', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type']),
            body,
          }),
        );
      });
      request.on('error', reject);
      request.end();
    });

  it('serves the page, the events, /gate and /metrics, read-only', async () => {
    vi.useRealTimers();
    const run = fakeRun(['preboot.errors == 0']);
    run.setProcesses([up('web.1@v1')]);
    run.start();
    const server = await LiveServer.start(
      run.model,
      { host: '127.0.0.1', port: 0 },
      () => undefined,
    );
    try {
      const page = await get(server.url);
      expect(page.status).toBe(200);
      expect(page.body).toContain("new EventSource('events')");
      expect(page.body).toContain("connect-src 'self'");
      expect((await get(server.url, 'HEAD')).body).toBe('');
      expect((await get(server.url, 'POST')).status).toBe(405);
      expect((await get(`${server.url}gate`, 'DELETE')).status).toBe(405);
      // Flagger's webhooks POST: /gate answers them as it answers a GET.
      expect((await get(`${server.url}gate`, 'POST')).status).toBe(200);
      expect((await get(`${server.url}metrics`, 'POST')).status).toBe(405);
      expect((await get(`${server.url}nothing`)).status).toBe(404);
      expect((await get(`${server.url}report`)).status).toBe(404);
      expect((await get(`${server.url}events`, 'HEAD')).type).toBe('text/event-stream');
      // Bound to 127.0.0.1, it answers only requests that name it so: not a rebound name.
      const rebound = await new Promise<number>((resolve) =>
        http
          .get(`${server.url}live.json`, { headers: { host: 'evil.example:80' } }, (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          })
          .end(),
      );
      expect(rebound).toBe(421);
      const named = await new Promise<number>((resolve) =>
        http
          .get(
            `${server.url}gate`,
            { headers: { host: `localhost:${new URL(server.url).port}` } },
            (r) => {
              r.resume();
              resolve(r.statusCode ?? 0);
            },
          )
          .end(),
      );
      expect(named).toBe(200);

      const events = await get(`${server.url}events`);
      expect(events.type).toBe('text/event-stream');
      const frame = JSON.parse(events.body.replace(/^data: /, '')) as {
        snapshot: { trial: { variant: string } };
        charts: { kind: string }[];
      };
      expect(frame.snapshot.trial.variant).toBe('preboot');
      expect(frame.charts.map((c) => c.kind)).toEqual(['lanes', 'latency']);

      let gate = await get(`${server.url}gate`);
      expect(gate.status).toBe(200);
      expect(JSON.parse(gate.body)).toMatchObject({ ok: true, status: 'holding', failed: 0 });
      run.answer('web.1@v1', 1, { status: 502 });
      gate = await get(`${server.url}gate`);
      expect(gate.status).toBe(412);
      expect(JSON.parse(gate.body)).toMatchObject({
        ok: false,
        status: 'failed',
        gates: [{ expression: 'preboot.errors == 0', status: 'failed', actual: 1 }],
      });
      const metrics = await get(`${server.url}metrics`);
      expect(metrics.type).toContain('text/plain');
      expect(metrics.body).toContain('deploy_bench_requests_total');
    } finally {
      await server.close();
      run.model.close();
    }
  });

  it('refuses a port in use, in one line that says so', async () => {
    vi.useRealTimers();
    const run = fakeRun();
    const first = await LiveServer.start(
      run.model,
      { host: '127.0.0.1', port: 0 },
      () => undefined,
    );
    const port = Number(new URL(first.url).port);
    try {
      const second = LiveServer.start(run.model, { host: '127.0.0.1', port }, () => undefined);
      await expect(second).rejects.toBeInstanceOf(ServeError);
      await expect(second).rejects.toThrow(`--serve 127.0.0.1:${port}: the port is in use`);
    } finally {
      await first.close();
    }
  });
});
