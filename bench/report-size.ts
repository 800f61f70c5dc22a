// Benchmark: how large and how fast is the HTML report of a one-hour run?
//   npx tsx bench/report-size.ts
// Synthesises two variants × one trial of 3,600 s at 50 requests/s (1 s intervals, a deploy at
// 30 min), renders the report, and opens it in Debian's Chromium until every chart is drawn.

import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyse } from '../src/analysis/analyse.ts';
import { renderHtml } from '../src/export/html.ts';
import { renderResultsJson } from '../src/export/results-json.ts';
import { Recorder } from '../src/record/recorder.ts';
import type { RunResults, TrialResult } from '../src/results/run.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { buildView } from '../src/view/view.ts';
import { launchChromium } from '../test/helpers/browser.ts';

const HOUR_MS = 3_600_000;
const RATE = 50;

function hourLongTrial(outageMs: number): TrialResult {
  const recorder = new Recorder({ intervalMs: 1000 });
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const deployAt = HOUR_MS / 2;
  for (let t = 0, user = 0; t < HOUR_MS; t += 1000 / RATE, user = (user + 1) % 4) {
    if (t >= deployAt && recorder && t - deployAt < 1) recorder.event({ t, phase: 'triggered' });
    const inOutage = t >= deployAt && t < deployAt + outageMs;
    const latencyMs = inOutage
      ? deployAt + outageMs - t
      : 5 + random() * 20 + (random() < 0.001 ? 400 : 0);
    recorder.record({
      user,
      t,
      latencyMs,
      status: 200,
      bytes: 40,
      release: t < deployAt + outageMs ? 'v1' : 'v2',
    });
    if (Math.abs(t - (deployAt + outageMs)) < 1) recorder.event({ t, phase: 'completed' });
  }
  return {
    trial: 1,
    status: 'completed',
    startedAt: new Date(0).toISOString(),
    recording: recorder.finish(HOUR_MS),
    deployLog: [],
  };
}

const report: RunResults = {
  tool: { name: 'deploy-bench', version: 'benchmark' },
  startedAt: new Date(0).toISOString(),
  machine: {
    hostname: os.hostname(),
    platform: 'linux',
    cpus: os.cpus().length,
    node: process.version,
  },
  scenarioFile: 'one-hour.yaml',
  scenario: parseScenario(
    'name: one hour\ntarget: { url: "http://127.0.0.1:1/" }\nload: { users: 4 }\nvariants: [{ name: stop-start, command: x }, { name: preboot, command: x }]\n',
    'one-hour.yaml',
    {},
  ),
  interrupted: false,
  variants: [
    { name: 'stop-start', trials: [hourLongTrial(30_000)], hookLog: [] },
    { name: 'preboot', trials: [hourLongTrial(0)], hookLog: [] },
  ],
};

/** Renders and opens the report of a synthetic one-hour run; returns its size and times. */
export async function measureOneHourReport(): Promise<{
  htmlMb: number;
  jsonMb: number;
  renderMs: number;
  openMs: number;
}> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'report-size-'));
  let started = performance.now();
  const html = renderHtml(buildView(analyse(report)));
  const renderMs = performance.now() - started;
  writeFileSync(path.join(dir, 'index.html'), html);
  writeFileSync(path.join(dir, 'results.json'), renderResultsJson(analyse(report)));

  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  started = performance.now();
  await page.goto(`file://${path.join(dir, 'index.html')}`);
  await page.waitForSelector('html[data-charts="ready"]', { timeout: 30_000 });
  const openMs = performance.now() - started;
  await browser.close();
  const mb = (file: string) => statSync(path.join(dir, file)).size / 1e6;
  return { htmlMb: mb('index.html'), jsonMb: mb('results.json'), renderMs, openMs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await measureOneHourReport();
  console.log('one-hour run, 2 variants × 1 trial, 50 requests/s, 1 s intervals');
  console.log(`  requests recorded        ${(2 * HOUR_MS * RATE) / 1000}`);
  console.log(
    `  index.html               ${figures.htmlMb.toFixed(2)} MB, rendered in ${figures.renderMs.toFixed(0)} ms`,
  );
  console.log(`  results.json             ${figures.jsonMb.toFixed(2)} MB`);
  console.log(`  Chromium, open → charts  ${figures.openMs.toFixed(0)} ms`);
}
