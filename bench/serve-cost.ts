// What `--serve` costs the load: `bench run` (compiled, closed model, 16 users, in one thread)
// against the trivial server, with and without the live server, in turns. With it, Debian's
// Chromium follows the live page and a scraper reads /metrics and /gate every second.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium } from '../test/helpers/browser.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const BENCH = path.join(REPO, 'bin/bench.js');

/** One `bench run`: its users' rate, and its own CPU time per request (the whole process). */
export interface RunCost {
  rate: number;
  cpuMicrosPerRequest: number;
  /** Served: what bench says serving took it, in ms per second of the run (its last scrape). */
  servingMsPerSecond?: number;
}

/** Runs in turns: without --serve, served to a scraper, served to a scraper and a browser. */
export interface ServeCost {
  without: RunCost[];
  scraped: RunCost[];
  watched: RunCost[];
}

/** One `bench run`'s rate and CPU per request, from its results.json; `serve` watches it live. */
async function benchRun(
  dir: string,
  scenario: string,
  round: string,
  serve: ((url: string) => Promise<() => Promise<number>>) | undefined,
): Promise<RunCost> {
  const out = path.join(dir, round);
  const child = spawn(
    process.execPath,
    [BENCH, 'run', scenario, '--out', out, '--export', 'json', ...(serve ? ['--serve', '0'] : [])],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } },
  );
  let stderr = '';
  let detach: Promise<() => Promise<number>> | undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const url = /live: (http:\S+\/) /.exec(stderr)?.[1];
    if (serve && url && !detach) detach = serve(url);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const servingSeconds = await (await detach)?.();
  if (code !== 0) throw new Error(`bench run failed (${code}):\n${stderr}`);
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
    variants: {
      trials: {
        recording: { durationMs: number; overall: { requests: number } };
        generator?: { cpuPercent: number };
      }[];
    }[];
  };
  const trial = results.variants[0]?.trials[0];
  if (!trial?.generator) throw new Error('no trial recorded');
  const { durationMs, overall } = trial.recording;
  return {
    rate: overall.requests / (durationMs / 1000),
    cpuMicrosPerRequest:
      (trial.generator.cpuPercent / 100) * ((durationMs * 1000) / overall.requests),
    ...(servingSeconds !== undefined
      ? { servingMsPerSecond: (servingSeconds * 1000) / (durationMs / 1000) }
      : {}),
  };
}

export async function measureServeCost(
  origin: string,
  rounds: number,
  seconds: number,
): Promise<ServeCost> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-serve-cost-'));
  const scenario = path.join(dir, 'scenario.yaml');
  writeFileSync(
    scenario,
    `name: serve-cost
target: { url: "${origin}/" }
load: { users: 16, thinkTime: 0s }
timeline: { settle: 0s, warmup: ${seconds}s, cooldown: 1s }
variants: [{ name: only, command: "true" }]
`,
  );
  const browser = await launchChromium();

  // A scraper on /metrics and /gate, and a browser on the page, as long as the run serves.
  const watchers = (withBrowser: boolean) => async (url: string) => {
    const page = withBrowser ? await browser.newPage() : undefined;
    await page?.goto(url).catch(() => {});
    // The last scrape's count of what serving took bench.
    let servingSeconds = 0;
    const scraper = setInterval(() => {
      fetch(`${url}gate`).catch(() => {});
      fetch(`${url}metrics`)
        .then((response) => response.text())
        .then((text) => {
          const busy = /^deploy_bench_serve_busy_seconds_total (\S+)$/m.exec(text)?.[1];
          if (busy !== undefined) servingSeconds = Number(busy);
        })
        .catch(() => {});
    }, 1000);
    return async () => {
      clearInterval(scraper);
      await page?.close();
      return servingSeconds;
    };
  };
  const cost: ServeCost = { without: [], scraped: [], watched: [] };
  const line = (name: string, run: RunCost) =>
    `${name} ${Math.round(run.rate)}/s, ${run.cpuMicrosPerRequest.toFixed(2)} µs/request${run.servingMsPerSecond === undefined ? '' : `, serving ${run.servingMsPerSecond.toFixed(2)} ms/s`}`;
  try {
    const arms = [
      ['without', undefined],
      ['scraped', watchers(false)],
      ['watched', watchers(true)],
    ] as const;
    for (let round = 0; round < rounds; round++) {
      // Each round starts with the next arm: no arm always runs first, or right after a browser.
      const ran = new Map<string, RunCost>();
      for (let i = 0; i < arms.length; i++) {
        const [name, serve] = arms[(round + i) % arms.length] as (typeof arms)[number];
        ran.set(name, await benchRun(dir, scenario, `${name}-${round}`, serve));
      }
      const [without, scraped, watched] = arms.map(([name]) => ran.get(name) as RunCost) as [
        RunCost,
        RunCost,
        RunCost,
      ];
      cost.without.push(without);
      cost.scraped.push(scraped);
      cost.watched.push(watched);
      console.error(
        `serve: round ${round + 1}: ${line('without', without)}; ${line('scraped', scraped)}; ${line('and a browser', watched)}`,
      );
    }
  } finally {
    await browser.close();
  }
  return cost;
}
