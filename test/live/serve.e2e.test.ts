import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/platform/ports.ts';
import { launchChromium } from '../helpers/browser.ts';
import { BENCH, REPO } from '../helpers/scenarios.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-serve-'));
});

/** Every process a test started, each the leader of its own group: stopped with the group. */
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
  }
});
afterAll(() => {
  for (const child of started) if (child.pid) process.kill(-child.pid, 'SIGKILL');
});

interface Bench {
  child: ChildProcess;
  stderr: () => string;
  /** The live server's address, once bench printed it. */
  url(): Promise<string>;
  /** When its stderr first holds `text`. */
  said(text: string): Promise<void>;
  exited: Promise<number | null>;
}

function startBench(args: string[], env: NodeJS.ProcessEnv = {}): Bench {
  const child = spawn(process.execPath, [BENCH, ...args], {
    cwd: dir,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  started.push(child);
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const wait of waiting.filter((w) => stderr.includes(w.text))) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const said = (text: string) =>
    stderr.includes(text)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          waiting.push({ text, resolve });
          exited.then(() => reject(new Error(`bench exited before saying "${text}":\n${stderr}`)));
        });
  const url = () =>
    said('live: http').then(() => /live: (http:\/\/\S+\/)/.exec(stderr)?.[1] as string);
  return { child, stderr: () => stderr, url, said, exited };
}

function getJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) }),
        );
      })
      .on('error', reject);
  });
}

interface ResultsTrial {
  trial: number;
  recording: {
    overall: { requests: number };
    disruption: { ms: number };
    timeline: { t: number; phase: string }[];
    lifecycle?: {
      id: string;
      release: string;
      startedAt: number | null;
      upAt: number | null;
      stoppedAt: number | null;
    }[];
    byConnection?: Record<string, { failureSpans: [number, number][] }>;
  };
}
interface Results {
  variants: { name: string; trials: ResultsTrial[] }[];
}
const readResults = (out: string) =>
  JSON.parse(readFileSync(path.join(dir, out, 'results.json'), 'utf8')) as Results;

describe('bench run --serve', () => {
  it('shows the instances live in a real browser: v2 booting while v1 answers, then v2 answering and v1 stopped', async () => {
    const bench = startBench(
      [
        'run',
        path.join(REPO, 'scenarios/preboot.yaml'),
        '--serve',
        '0',
        '--out',
        'page',
        '--export',
        'json',
      ],
      { BOOT_MS: '2500' },
    );
    const browser = await launchChromium();
    try {
      // A phone's width: the page must read there too.
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (error) => problems.push(String(error)));
      await page.goto(await bench.url());
      // What the page showed, as often as we look: its instances, with the trial's clock they are of.
      const seen: {
        variant: string;
        t: number;
        rows: { id: string; state: string; share: number }[];
      }[] = [];
      let lanesDrawn = false;
      let running = true;
      bench.exited.then(() => {
        running = false;
      });
      while (running) {
        const shown = await page.evaluate(() => {
          const table = document.getElementById('instances') as HTMLTableElement;
          return {
            variant: table.getAttribute('data-variant') ?? '',
            t: Number(table.getAttribute('data-t') ?? Number.NaN),
            rows: [...table.querySelectorAll('tbody tr')].map((row) => ({
              id: row.getAttribute('data-instance') ?? '',
              state: row.getAttribute('data-state') ?? '',
              share: Number(row.getAttribute('data-share')),
            })),
            lanes: document.querySelector('figure[data-chart="lanes"] canvas') !== null,
          };
        });
        if (Number.isFinite(shown.t)) seen.push(shown);
        lanesDrawn ||= shown.lanes;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await bench.exited, bench.stderr()).toBe(0);

      // The moments come from the recorded timeline of the preboot trial.
      const trial = readResults('page').variants.find((v) => v.name === 'preboot')?.trials[0];
      const lives = trial?.recording.lifecycle ?? [];
      const v1 = lives.find((l) => l.release === 'v1');
      const v2 = lives.find((l) => l.release === 'v2');
      expect(v1?.stoppedAt, JSON.stringify(lives)).toBeTypeOf('number');
      expect(v2?.upAt).toBeTypeOf('number');
      const row = (shown: (typeof seen)[number], id: string | undefined) =>
        shown.rows.find((r) => r.id === id);
      const preboot = seen.filter((s) => s.variant === 'preboot');
      const whileBooting = preboot.filter(
        (s) => s.t > (v2?.startedAt as number) && s.t < (v2?.upAt as number),
      );
      expect(whileBooting.length, JSON.stringify(seen)).toBeGreaterThan(0);
      expect(
        whileBooting.some(
          (s) =>
            row(s, v2?.id)?.state === 'booting' &&
            row(s, v1?.id)?.state === 'up' &&
            (row(s, v1?.id)?.share ?? 0) > 0,
        ),
        JSON.stringify(whileBooting),
      ).toBe(true);
      const afterStop = preboot.filter((s) => s.t > (v1?.stoppedAt as number));
      expect(
        afterStop.some(
          (s) =>
            row(s, v1?.id)?.state === 'stopped' &&
            row(s, v2?.id)?.state === 'up' &&
            (row(s, v2?.id)?.share ?? 0) > 0,
        ),
        JSON.stringify(afterStop),
      ).toBe(true);
      // Never a stopped process with a share of the traffic.
      for (const shown of seen)
        for (const r of shown.rows) if (r.state === 'stopped') expect(r.share).toBe(0);
      expect(lanesDrawn).toBe(true);

      // The run's end reached the page before the server closed: it says how it went.
      await page.waitForSelector('#outcome:not([hidden])', { timeout: 5000 });
      expect(await page.textContent('#outcome')).toContain('preboot');
      expect(await page.getAttribute('#connection', 'data-live')).toBe('ended');
      // Nothing wider than the phone: no sideways scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('is scraped by a real Prometheus, whose count of requests equals results.json exactly', async () => {
    const benchPort = await findFreePort();
    const promPort = await findFreePort();
    const config = path.join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global: { scrape_interval: 500ms, evaluation_interval: 1s }
scrape_configs:
  - job_name: bench
    static_configs: [{ targets: ['127.0.0.1:${benchPort}'] }]
`,
    );
    const prometheus = spawn(
      '/usr/bin/prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore', detached: true },
    );
    started.push(prometheus);
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    const query = async (expression: string) => {
      const { body } = (await getJson(`${api}/query?query=${encodeURIComponent(expression)}`)) as {
        body: { data: { result: { value: [number, string] }[] } };
      };
      return body.data.result.map((r) => Number(r.value[1]));
    };

    const bench = startBench(
      [
        'run',
        path.join(REPO, 'scenarios/preboot.yaml'),
        '--serve',
        `127.0.0.1:${benchPort}`,
        '--serve-after',
        '--out',
        'scraped',
        '--export',
        'json',
      ],
      { BOOT_MS: '1000' },
    );
    await bench.said('until Ctrl-C');
    // The run ended; once Prometheus has scraped that, its counters are the run's last.
    const deadline = Date.now() + 60_000;
    let ended: number[] = [];
    while (Date.now() < deadline) {
      ended = await query('deploy_bench_run_ended').catch(() => []);
      if (ended[0] === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(ended, 'Prometheus never scraped the ended run').toEqual([1]);
    const [counted] = await query('sum(deploy_bench_requests_total)');
    const byVariant = await query('sum by (variant) (deploy_bench_requests_total)');
    const [histogramCount] = await query('sum(deploy_bench_request_duration_seconds_count)');
    // Once every trial ended, disruption so far is each variant's trials' exact disruption.
    const disruption = (
      (await getJson(`${api}/query?query=deploy_bench_disruption_seconds`)).body as {
        data: { result: { metric: { variant: string }; value: [number, string] }[] };
      }
    ).data.result.map((r) => [r.metric.variant, Number(r.value[1])] as const);

    bench.child.kill('SIGINT');
    expect(await bench.exited, bench.stderr()).toBe(0);
    const results = readResults('scraped');
    const recorded = results.variants
      .flatMap((v) => v.trials)
      .map((t) => t.recording.overall.requests);
    const total = recorded.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(100);
    expect(counted).toBe(total);
    expect(histogramCount).toBe(total);
    expect(byVariant.sort()).toEqual([...recorded].sort());
    const recordedDisruption = results.variants.map(
      (v) =>
        [v.name, v.trials.reduce((sum, t) => sum + t.recording.disruption.ms, 0) / 1000] as const,
    );
    expect(new Map(disruption)).toEqual(new Map(recordedDisruption));
    // The demo's stop-start is disrupted for its whole boot: a figure that could not be 0.
    expect(new Map(disruption).get('stop-start')).toBeGreaterThan(0.5);
  }, 120_000);

  it('turns /gate from 200 to 412 within a second of a gate failing, and never back', async () => {
    const appPort = await findFreePort();
    // A target that refuses once the deploy kills it.
    const app = spawn(
      process.execPath,
      [
        '-e',
        `require('http').createServer((q, s) => setTimeout(() => s.end('ok'), 5)).listen(${appPort}, '127.0.0.1')`,
      ],
      { stdio: 'ignore', detached: true },
    );
    started.push(app);
    const scenario = path.join(dir, 'refusing.yaml');
    writeFileSync(
      scenario,
      `name: refusing
target: { url: "http://127.0.0.1:${appPort}/" }
load: { users: 2, timeout: 5s }
timeline: { settle: 0s, warmup: 2s, cooldown: 3s }
variants: [{ name: killed, command: "kill ${app.pid}" }]
`,
    );
    // The app must answer before the run starts.
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) =>
        http
          .get(`http://127.0.0.1:${appPort}/`, (r) => resolve(r.statusCode === 200))
          .on('error', () => resolve(false)),
      );
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const bench = startBench([
      'run',
      scenario,
      '--gate',
      'killed.errors == 0',
      '--serve',
      '0',
      '--serve-after',
      '--out',
      'gated',
      '--export',
      'json',
    ]);
    const gate = `${await bench.url()}gate`;
    const answers: { status: number; t?: number; ended: boolean }[] = [];
    let serving = false;
    bench.said('until Ctrl-C').then(() => {
      serving = true;
    });
    // Asked every 50 ms through the run, and a little after its end.
    let afterEnd = 0;
    while (afterEnd < 5) {
      const { status, body } = await getJson(gate);
      const { t, ended } = body as { t?: number; ended: boolean };
      answers.push({ status, ...(t !== undefined ? { t } : {}), ended });
      if (serving) afterEnd++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    bench.child.kill('SIGINT');
    expect(await bench.exited, bench.stderr()).toBe(1);

    const firstFailed = answers.findIndex((a) => a.status !== 200);
    expect(firstFailed, JSON.stringify(answers)).toBeGreaterThan(0);
    expect(answers[firstFailed]?.status).toBe(412);
    // Never back: every answer after the first failed one failed too, the run's end included.
    expect(answers.slice(firstFailed).every((a) => a.status === 412)).toBe(true);
    expect(answers.at(-1)?.ended).toBe(true);
    // Within a second of the first failed request, on the trial's one clock.
    const recording = readResults('gated').variants[0]?.trials[0]?.recording;
    const failures = Object.values(recording?.byConnection ?? {}).flatMap((k) => k.failureSpans);
    expect(failures.length).toBeGreaterThan(0);
    const firstFailure = Math.min(...failures.map(([from]) => from));
    const seenAt = answers[firstFailed]?.t as number;
    expect(seenAt - firstFailure, JSON.stringify({ firstFailure, seenAt })).toBeLessThanOrEqual(
      1000,
    );
  }, 90_000);

  it('serves a watch too: the instances the load sees, and its gates as they stand', async () => {
    const target = http.createServer((_request, response) => {
      response.setHeader('x-instance', 'web-7f9c');
      response.end('ok');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as { port: number }).port;
    try {
      const bench = startBench([
        'watch',
        `http://127.0.0.1:${port}/`,
        '--instance-header',
        'x-instance',
        '--baseline',
        '1s',
        '--duration',
        '4s',
        '--gate',
        'watched.errors == 0',
        '--serve',
        '0',
        '--out',
        'watched',
        '--export',
        'json',
      ]);
      const url = await bench.url();
      await bench.said('recording');
      // A second into the recording, the live model has seen the instance answer.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const live = (await getJson(`${url}live.json`)).body as {
        watching: boolean;
        trial: { variant: string };
        instances: { id: string; state: string; share: number }[];
      };
      expect(live.watching).toBe(true);
      expect(live.trial.variant).toBe('watched');
      expect(live.instances).toMatchObject([{ id: 'web-7f9c', state: 'answering', share: 1 }]);
      const gate = await getJson(`${url}gate`);
      expect(gate.status).toBe(200);
      expect(gate.body).toMatchObject({
        ok: true,
        status: 'holding',
        gates: [{ expression: 'watched.errors == 0', status: 'holding' }],
      });
      expect(await bench.exited, bench.stderr()).toBe(0);
    } finally {
      target.close();
    }
  }, 60_000);

  it('stops with exit 2 before any load when the port is in use', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const bench = startBench([
        'run',
        path.join(REPO, 'scenarios/preboot.yaml'),
        '--serve',
        String(port),
        '--out',
        'taken',
      ]);
      expect(await bench.exited).toBe(2);
      expect(bench.stderr().trim()).toBe(
        `bench: --serve 127.0.0.1:${port}: the port is in use; name another (--serve 0 picks a free one)`,
      );
      expect(existsSync(path.join(dir, 'taken'))).toBe(false);
    } finally {
      taken.close();
    }
  });
});
