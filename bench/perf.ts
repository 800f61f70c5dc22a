// Overhead and scale of deploy-bench's own generator, printed as a table (docs/performance.md).
//   npm run bench:perf                       everything (about 8 minutes: memory runs for 5)
//   npm run bench:perf -- throughput schedule    only some sections
// Sections: throughput (closed model against raw autocannon, and wrk when installed), probe (the
// users' rate with the probe beside them and without), endpoints, workers (the
// closed model in 1 and 2 worker threads against nginx), schedule (open model send-time error), memory
// (resident memory after 1 and 5 minutes at full speed), report (rendering the report of a one-hour
// run), startup (`bench --version` and `--help` against `node -e 0`, and a generator thread's start
// from the sources through tsx against the compiled package, which it builds first), serve (`bench
// run` with and without --serve, a browser on the live page and a scraper, in turns).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { plainConnection } from '../src/load/connection.ts';
import { createLoadGenerator } from '../src/load/create-load-generator.ts';
import { OpenModel } from '../src/load/open-model.ts';
import { shareOfLoad } from '../src/load/share.ts';
import { prepareMeasuredLoad } from '../src/measured-load/prepare.ts';
import { findFreePort } from '../src/platform/ports.ts';
import { startClock } from '../src/process/clock.ts';
import { sleep } from '../src/process/sleep.ts';
import { Recorder } from '../src/record/recorder.ts';
import { percentileMs } from '../src/results/histogram.ts';
import type { LoadConfig } from '../src/scenario/schema.ts';
import { waitUntilReady } from '../src/trial/wait-ready.ts';
import { measureOneHourReport } from './report-size.ts';
import { measureServeCost } from './serve-cost.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/** A whole `bench run` per round: long enough that its start and end weigh little. */
const SERVE_SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MEMORY_MINUTES = [1, Number(process.env.BENCH_MEMORY_MINUTES ?? 5)];
const sections = process.argv.slice(2);
const wanted = (name: string) => sections.length === 0 || sections.includes(name);
const request = { method: 'GET' as const, path: '/', headers: {} };

async function startTrivialServer(): Promise<{ origin: string; stop: () => void }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'trivial-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (b) => resolve(Number(String(b).trim()))),
  );
  return { origin: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

const closed = (users: number): LoadConfig => ({
  model: 'closed',
  users,
  thinkTime: 0,
  backoff: 75,
  timeout: 60_000,
  releaseHeader: 'x-release',
  keepAlive: true,
  probe: 0,
  workers: 1,
  request,
});

/** Five endpoints by weight, each with a status, a body and a header check, as a real site's mix. */
const FIVE_ENDPOINTS: LoadConfig['endpoints'] = ['home', 'assets', 'api', 'search', 'cart'].map(
  (name, i) => ({
    name,
    weight: [5, 3, 2, 1, 1][i] as number,
    method: 'GET',
    path: `/${name}`,
    headers: {},
    expect: { status: ['2xx'], body: 'ok', headers: { 'content-length': '^\\d+$' } },
  }),
);

/** Requests per second of deploy-bench's closed model, recording everything as a real run does. */
async function closedModelRate(
  origin: string,
  users: number,
  seconds: number,
  endpoints?: LoadConfig['endpoints'],
  probe = 0,
): Promise<number> {
  const recorder = new Recorder(endpoints ? { endpoints: endpoints.map((e) => e.name) } : {});
  let count = 0;
  const { request: _single, ...load } = closed(users);
  const generator = createLoadGenerator({
    target: plainConnection(origin),
    load: { ...(endpoints ? { ...load, endpoints } : closed(users)), probe },
    clock: startClock(),
    onSample: (s) => {
      // The users' requests: the probe's are recorded, not counted.
      if (!s.probe) count++;
      recorder.record(s);
    },
    onDropped: () => {},
  });
  generator.start();
  await sleep(seconds * 1000);
  await generator.stop('drain');
  return count / seconds;
}

async function autocannonRate(
  origin: string,
  connections: number,
  seconds: number,
): Promise<number> {
  const result = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ url: origin, connections, duration: seconds }, (e, r) =>
      e ? reject(e) : resolve(r),
    ),
  );
  return result.requests.total / seconds;
}

function wrkRate(origin: string, connections: number, seconds: number): number | undefined {
  try {
    const output = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, origin], {
      encoding: 'utf8',
    });
    const match = /Requests\/sec:\s+([\d.]+)/.exec(output);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Requests per second of the closed model spread over worker threads, as `load.workers` runs it, and
 * the CPU this process used meanwhile (% of one core).
 */
async function threadedRate(
  origin: string,
  users: number,
  threads: number,
  seconds: number,
): Promise<{ rate: number; cpuPercent: number }> {
  const measured = await prepareMeasuredLoad({
    target: plainConnection(origin),
    share: shareOfLoad(closed(users), 0, 1),
    threads,
    recorder: { alternate: { kind: 'corrected', thinkTimeMs: 0 } },
  });
  try {
    const cpuAtStart = process.cpuUsage();
    const clock = startClock();
    measured.start(clock);
    await sleep(seconds * 1000);
    await measured.stop('drain');
    const cpu = process.cpuUsage(cpuAtStart);
    const { recording } = await measured.finish(clock.now());
    const elapsedMs = clock.now();
    return {
      rate: recording.overall.requests / (elapsedMs / 1000),
      cpuPercent: (cpu.user + cpu.system) / 10 / elapsedMs,
    };
  } finally {
    await measured.dispose();
  }
}

const REPO = path.resolve(import.meta.dirname, '..');
const STARTS = 10;

/** Median wall time of `node ARGS` run to its end, STARTS times, in ms. */
function nodeStartMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { cwd: REPO, stdio: 'ignore' });
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}`);
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * Median time from asking for a generator thread to its first message (it is ready), STARTS times, in
 * ms: with the module from the sources (run through tsx, which each thread registers again) or from
 * the compiled package.
 */
async function threadStartMs(module: string, origin: string): Promise<number> {
  const { startWorkerLoad } = (await import(
    module
  )) as typeof import('../src/measured-load/worker-threads.ts');
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const started = performance.now();
    const measured = await startWorkerLoad({
      target: plainConnection(origin),
      share: shareOfLoad(closed(1), 0, 1),
      threads: 1,
      recorder: { alternate: { kind: 'corrected', thinkTimeMs: 0 } },
    });
    times.push(performance.now() - started);
    await measured.dispose();
  }
  return median(times);
}

/** nginx answering "ok" from one worker process, on a free port; undefined when not installed. */
async function startNginx(): Promise<{ origin: string; stop: () => void } | undefined> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
  const port = await findFreePort();
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 100000000; keepalive_timeout 60s;
  server { listen 127.0.0.1:${port}; location / { return 200 "ok"; } }
}
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
    stdio: 'ignore',
    detached: true,
  });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) return undefined;
  const stop = () => {
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {}
  };
  process.on('exit', stop);
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(origin, 5000, new AbortController().signal);
  return { origin, stop };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const rows: string[][] = [['section', 'figure', 'measured', 'target']];
const print = () => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
};

const server = await startTrivialServer();
process.on('exit', () => server.stop());
try {
  if (wanted('throughput')) {
    // Rates on this VM swing by ±15 % from one run to the next: the two tools take turns, five
    // rounds each, and the medians are compared.
    for (const users of [1, 16, 64]) {
      const oursRuns: number[] = [];
      const theirsRuns: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        oursRuns.push(await closedModelRate(server.origin, users, SECONDS));
        theirsRuns.push(await autocannonRate(server.origin, users, SECONDS));
      }
      const ours = median(oursRuns);
      const theirs = median(theirsRuns);
      const wrk = wrkRate(server.origin, users, SECONDS);
      rows.push([
        'throughput',
        `closed model, ${users} users`,
        `${Math.round(ours)}/s = ${(ours / theirs).toFixed(2)} × autocannon (${Math.round(theirs)}/s)${wrk ? `, ${(ours / wrk).toFixed(2)} × wrk (${Math.round(wrk)}/s)` : ''}`,
        users >= 16 ? '≥ 0.9 × autocannon' : '',
      ]);
      console.error(rows.at(-1)?.join('  '));
    }
  }
  if (wanted('probe')) {
    // The users' rate with and without the default probe beside them, in turns.
    const without: number[] = [];
    const beside: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      without.push(await closedModelRate(server.origin, 16, SECONDS));
      beside.push(await closedModelRate(server.origin, 16, SECONDS, undefined, 5));
    }
    const [alone, probed] = [median(without), median(beside)];
    rows.push([
      'probe',
      "closed model, 16 users: the users' rate without the probe → with it (5/s)",
      `${Math.round(alone)}/s → ${Math.round(probed)}/s (${(probed / alone).toFixed(2)} ×)`,
      '≥ 0.95 ×',
    ]);
    console.error(rows.at(-1)?.join('  '));
  }
  if (wanted('endpoints')) {
    // The same load, one request against five weighted endpoints with checks, in turns.
    const single: number[] = [];
    const five: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      single.push(await closedModelRate(server.origin, 16, SECONDS));
      five.push(await closedModelRate(server.origin, 16, SECONDS, FIVE_ENDPOINTS));
    }
    const [one, many] = [median(single), median(five)];
    rows.push([
      'endpoints',
      'closed model, 16 users: 1 request → 5 weighted endpoints with status, body and header checks',
      `${Math.round(one)}/s → ${Math.round(many)}/s (${(many / one).toFixed(2)} ×)`,
      '≥ 0.9 ×',
    ]);
    console.error(rows.at(-1)?.join('  '));
  }
  if (wanted('workers')) {
    // The Node server above needs a core of its own to answer 90,000 requests a second: against it,
    // a second generator thread only takes CPU from the server. nginx answers for far less.
    const nginx = await startNginx();
    if (!nginx) console.error('workers: nginx is not installed; section skipped');
    else {
      try {
        const runs: Record<number, { rate: number; cpuPercent: number }[]> = { 1: [], 2: [] };
        for (let round = 0; round < ROUNDS; round++) {
          for (const threads of [1, 2]) {
            runs[threads]?.push(await threadedRate(nginx.origin, 64, threads, SECONDS));
          }
        }
        const figure = (threads: number) => ({
          rate: median((runs[threads] ?? []).map((r) => r.rate)),
          cpu: median((runs[threads] ?? []).map((r) => r.cpuPercent)),
        });
        const [one, two] = [figure(1), figure(2)];
        rows.push([
          'workers',
          'closed model, 64 users, against nginx: 1 → 2 worker threads',
          `${Math.round(one.rate)}/s → ${Math.round(two.rate)}/s (${(two.rate / one.rate).toFixed(2)} ×), generator CPU ${one.cpu.toFixed(0)} % → ${two.cpu.toFixed(0)} % of a core`,
          '2 threads > 1',
        ]);
        console.error(rows.at(-1)?.join('  '));
      } finally {
        nginx.stop();
      }
    }
  }
  if (wanted('schedule')) {
    for (const rate of [1000, 5000]) {
      const model = new OpenModel({
        target: plainConnection(server.origin),
        load: {
          model: 'open',
          rate,
          arrival: 'uniform',
          maxInFlight: 1000,
          timeout: 60_000,
          releaseHeader: 'x-release',
          keepAlive: true,
          probe: 0,
          workers: 1,
          request,
        },
        clock: startClock(),
        onSample: () => {},
        onDropped: () => {},
      });
      model.start();
      await sleep(SECONDS * 1000);
      await model.stop('drain');
      const lag = model.scheduleLag;
      rows.push([
        'schedule',
        `open model, ${rate}/s: send time after schedule`,
        `p50 ${percentileMs(lag, 50).toFixed(3)} ms, p99 ${percentileMs(lag, 99).toFixed(3)} ms, max ${(lag.maxValue / 1000).toFixed(1)} ms`,
        rate === 1000 ? 'p99 ≤ 1 ms' : '',
      ]);
      console.error(rows.at(-1)?.join('  '));
    }
  }
  if (wanted('memory')) {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'memory-run.ts'),
        server.origin,
        ...MEMORY_MINUTES.map(String),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const points = output
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            minutes: number;
            requests: number;
            rssMb: number;
            heapMb: number;
            externalMb: number;
          },
      );
    const [first, last] = [points[0], points.at(-1)];
    if (first && last) {
      const growth = (a: number, b: number) => `${(100 * (b / a - 1)).toFixed(1)} %`;
      const held = (p: typeof first) => p.heapMb + p.externalMb;
      rows.push([
        'memory',
        `closed model, 16 users, full speed: JS heap + external after ${first.minutes} and ${last.minutes} min (${(last.requests / 1e6).toFixed(1)} M requests)`,
        `${held(first).toFixed(1)} MB → ${held(last).toFixed(1)} MB (${growth(held(first), held(last))})`,
        '< 10 % growth',
      ]);
      rows.push([
        'memory',
        '  resident set size (includes freed memory the allocator keeps)',
        `${first.rssMb.toFixed(0)} MB → ${last.rssMb.toFixed(0)} MB (${growth(first.rssMb, last.rssMb)})`,
        '',
      ]);
    }
  }
  if (wanted('serve')) {
    // The compiled package, as it is installed.
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
    const cost = await measureServeCost(server.origin, ROUNDS, SERVE_SECONDS);
    type Runs = typeof cost.without;
    const rate = (runs: Runs) => median(runs.map((r) => r.rate));
    const cpu = (runs: Runs) => median(runs.map((r) => r.cpuMicrosPerRequest));
    // Each served run against the run without, in the same round: the machine's drift cancels out.
    const paired = (runs: Runs) =>
      median(runs.map((r, i) => r.rate / (cost.without[i]?.rate as number)));
    for (const [name, runs] of [
      ['/metrics and /gate read every second', cost.scraped],
      ['the same, and a browser on the page', cost.watched],
    ] as const) {
      rows.push([
        'serve',
        `bench run, closed model, 16 users: without --serve → served, ${name}`,
        `${Math.round(rate(cost.without))}/s → ${Math.round(rate(runs))}/s (pairs ${paired(runs).toFixed(3)} ×); CPU ${cpu(cost.without).toFixed(2)} → ${cpu(runs).toFixed(2)} µs/request; serving ${median(runs.map((r) => r.servingMsPerSecond ?? Number.NaN)).toFixed(2)} ms per second`,
        '≥ 0.97 ×',
      ]);
      console.error(rows.at(-1)?.join('  '));
    }
  }
  if (wanted('report')) {
    const report = await measureOneHourReport();
    rows.push([
      'report',
      'one-hour run: index.html size, render time',
      `${report.htmlMb.toFixed(2)} MB, ${report.renderMs.toFixed(0)} ms`,
      '< 2 MB',
    ]);
    rows.push([
      'report',
      'one-hour run: Chromium open → charts drawn',
      `${report.openMs.toFixed(0)} ms`,
      'about 1 s',
    ]);
  }
  if (wanted('startup')) {
    // Times the package as it is installed: compiled from these sources.
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
    const bin = path.join(REPO, 'bin/bench.js');
    const node = nodeStartMs(['-e', '0']);
    rows.push(['startup', `node -e 0 (median of ${STARTS})`, `${node.toFixed(0)} ms`, '']);
    for (const flag of ['--version', '--help']) {
      const bench = nodeStartMs([bin, flag]);
      rows.push([
        'startup',
        `bench ${flag}`,
        `${bench.toFixed(0)} ms (node -e 0 + ${(bench - node).toFixed(0)} ms)`,
        flag === '--version' ? 'node -e 0 + 250 ms' : '',
      ]);
    }
    const fromSources = await threadStartMs(
      '../src/measured-load/worker-threads.ts',
      server.origin,
    );
    const compiled = await threadStartMs(
      path.join(REPO, 'dist/measured-load/worker-threads.js'),
      server.origin,
    );
    rows.push([
      'startup',
      'a generator thread until ready: sources through tsx → compiled',
      `${fromSources.toFixed(0)} ms → ${compiled.toFixed(0)} ms`,
      '',
    ]);
  }
} finally {
  server.stop();
}
print();
