import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { marked } from 'marked';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statisticOf } from '../../src/gates/evaluate.ts';
import { HistoryFolder } from '../../src/history/folder.ts';
import { formatMs } from '../../src/text/format.ts';
import { FAILURE_COLOUR } from '../../src/view/charts/style.ts';
import { launchChromium } from '../helpers/browser.ts';
import { seeded, writeStopStartScenario, writeSyntheticHistory } from '../helpers/history.ts';
import { BENCH, REPO } from '../helpers/scenarios.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'bench-history-e2e-'));
const MERMAID = path.join(REPO, 'node_modules/mermaid/dist/mermaid.min.js');
/** A record of the scenario damaged in the cache: named as one, so that it is read, and refused. */
const BROKEN = `2026-01-15T00-00-00Z-history-e2e-${createHash('sha256').update('history-e2e').digest('hex').slice(0, 8)}-0badf0.json`;

/** A stop-start deploy of an app that boots in 2 s: users wait at least that long. */
const writeScenario = (dir: string) => writeStopStartScenario(dir, 'history-e2e', 2000);

interface GateJson {
  expression: string;
  evaluated: boolean;
  passed: boolean;
  actual: number;
  threshold: number | null;
  budget?: { runs: number; needed: number; statistic: number };
  problem?: string;
}

/** On GitHub Actions, as the runner sets it. */
function github(summary: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_SHA: 'c0ffee0000000000000000000000000000000000',
    GITHUB_REF_NAME: 'slow-boot',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'shop/web',
    GITHUB_RUN_ID: '4242',
  };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('gates against a history of runs', () => {
  const dir = tempDir();
  const history = path.join(dir, 'history');
  const out = path.join(dir, 'run');
  const summary = path.join(dir, 'step-summary.md');
  let gate: GateJson;

  it('fail a run 30 % worse than the P95 of 20 past runs with exit 1, saying by how much', async () => {
    // Twenty past runs whose stop-start held users for 1.20–1.45 s: real runs' spread.
    const random = seeded(11);
    await writeSyntheticHistory(history, {
      scenario: 'history-e2e',
      runs: 20,
      outageMs: () => 1200 + 250 * random(),
    });
    // A record damaged in the cache: refused by name, the twenty still count.
    writeFileSync(path.join(history, BROKEN), '{"format": 1, "scenario": ');
    const scenario = writeScenario(dir);

    const run = await execa(
      'node',
      [
        BENCH,
        'run',
        scenario,
        '--out',
        out,
        '--export',
        'json,html,md,junit,metrics',
        '--history',
        history,
        '--gate',
        'stop-start.user-wait <= p95(history)',
      ],
      { cwd: dir, reject: false, env: github(summary) },
    );
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain(`history: ${path.join(history, BROKEN)} is not counted: not JSON`);
    expect(run.stderr).toContain('history: 20 past runs of "history-e2e"');

    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    [gate] = results.gates as [GateJson];
    // The threshold is the P95 of the twenty runs' user waits, as the test reads them back.
    const { records } = await (await HistoryFolder.open(history, 'read')).read();
    const past = records
      .filter((r) => r.record.startedAt < results.startedAt)
      .map((r) => r.record.variants[0]?.trials[0]?.figures['user-wait'] as number);
    expect(past).toHaveLength(20);
    const p95 = statisticOf(past, { percentile: 95 });
    expect(gate).toMatchObject({ evaluated: true, passed: false });
    expect(gate.threshold).toBeCloseTo(p95, 6);
    expect(gate.budget).toMatchObject({ runs: 20, needed: 10 });
    // The real run held its users for the 2 s boot: at least 30 % over the P95 of 1.2–1.45 s.
    expect(gate.actual).toBeGreaterThanOrEqual(1.3 * p95);
    const percent = Number(((100 * (gate.actual - p95)) / p95).toFixed(1));
    expect(run.stdout).toContain(
      `stop-start.user-wait <= p95(history): ${formatMs(gate.actual)} is ${formatMs(gate.actual - p95)} (${percent} %) over ${formatMs(p95)}`,
    );
    // On GitHub Actions, the same as a workflow error annotation: one line, for the one failure.
    const annotations = run.stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toEqual([
      expect.stringMatching(
        /^::error title=deploy-bench gate failed%3A stop-start\.user-wait <= p95\(history\)::stop-start\.user-wait <= p95\(history\): .* over /,
      ),
    ]);

    // The run joined the history, with its commit and job; the reports show its place.
    const files = readdirSync(history).filter((f) => f !== BROKEN);
    expect(files).toHaveLength(21);
    expect(results.history).toMatchObject({ runs: 20, refused: [{ file: BROKEN }] });
    const place = results.history.figures.find((f: { figure: string }) => f.figure === 'user-wait');
    expect(place.value).toBe(gate.actual);
    expect(place.budget).toBeCloseTo(p95, 6);
    expect(place.past).toHaveLength(20);
    // The place row: this run, then the past median, p95 and worst of the twenty, as the test
    // computes them from the records.
    const sorted = [...past].sort((a, b) => a - b);
    const pastMedian = (sorted[9] as number) / 2 + (sorted[10] as number) / 2;
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain(
      `| stop-start | user-wait | **${formatMs(gate.actual)}** ❌ | ${formatMs(pastMedian)} | ${formatMs(p95)} | ${formatMs(sorted[19] as number)} | worse than 20 of 20 | ${formatMs(p95)} |`,
    );
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toContain('Against past runs');
    // results.json keeps the place: bench report shows it again, the same.
    const again = path.join(dir, 'again');
    const report = await execa(
      'node',
      [BENCH, 'report', path.join(out, 'results.json'), '--out', again, '--export', 'md'],
      { reject: false },
    );
    expect(report.exitCode, report.stderr).toBe(0);
    expect(readFileSync(path.join(again, 'summary.md'), 'utf8')).toBe(
      readFileSync(path.join(out, 'summary.md'), 'utf8'),
    );
    // metrics.txt: the same figures as results.json, in seconds, to the millisecond.
    const metrics = readFileSync(path.join(out, 'metrics.txt'), 'utf8');
    expect(metrics).toMatch(/^deploy_bench_gates_failed 1$/m);
    const trial = results.variants[0].trials[0];
    const line = (name: string) =>
      Number(new RegExp(`^${name}\\{variant="stop-start"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(line('deploy_bench_longest_user_wait_seconds')).toBe(
      Number((trial.longestUserWaitMs / 1000).toFixed(3)),
    );
    expect(line('deploy_bench_disruption_seconds')).toBe(
      Number((trial.disruptionMs / 1000).toFixed(3)),
    );
    expect(line('deploy_bench_failed_requests')).toBe(trial.errors);
    expect(line('deploy_bench_requests')).toBe(trial.requests);
    expect(metrics.trimEnd().endsWith('# EOF')).toBe(true);

    // The job summary: the run's summary, then the trend with this run as the 21st, over budget.
    const jobSummary = readFileSync(summary, 'utf8');
    expect(jobSummary).toContain('## deploy-bench history: history-e2e');
    expect(jobSummary).toMatch(
      /\| \[21\]\(https:\/\/github\.com\/shop\/web\/actions\/runs\/4242\) \|.*c0ffee0.*❌/,
    );
  }, 120_000);

  it('says "not enough history" on 3 past runs: judged by nothing, exit 0, no annotation', async () => {
    const short = path.join(dir, 'short');
    const random = seeded(5);
    await writeSyntheticHistory(short, {
      scenario: 'history-e2e',
      runs: 3,
      outageMs: () => 500 + 100 * random(),
    });
    const run = await execa(
      'node',
      [
        BENCH,
        'run',
        writeScenario(dir),
        '--out',
        path.join(dir, 'short-run'),
        '--export',
        'json',
        '--history',
        short,
        '--gate',
        'stop-start.user-wait <= p95(history)',
      ],
      { cwd: dir, reject: false, env: github(path.join(dir, 'short-summary.md')) },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('not enough history: 3 past runs, 10 needed');
    expect(run.stdout).not.toContain('::error');
    const results = JSON.parse(readFileSync(path.join(dir, 'short-run/results.json'), 'utf8'));
    expect(results.passed).toBeNull();
    expect(results.gates[0]).toMatchObject({ evaluated: false, passed: false });
    expect(readdirSync(short)).toHaveLength(4);
  }, 120_000);

  it('draws the trend: bench history writes a page Chromium renders, the breaking run marked', async () => {
    const trend = path.join(dir, 'trend');
    const made = await execa('node', [BENCH, 'history', history, '--out', trend], {
      cwd: dir,
      reject: false,
    });
    expect(made.exitCode, made.stderr).toBe(0);
    expect(made.stdout).toContain('history-e2e: 21 runs, 1 failed a gate');
    expect(made.stderr).toContain(`${BROKEN} is not counted`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`file://${path.join(trend, 'history.html')}`);
    await page.waitForSelector('html[data-charts="ready"]', { timeout: 10_000 });
    expect(problems).toEqual([]);

    // The breaking run is the 21st: its row says so, and it is the red point of its chart.
    expect(
      await page
        .locator('tr[data-broke]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run'))),
    ).toEqual(['21']);
    const chart = await page.evaluate(() => {
      const canvas = document.querySelector('figure[data-series="stop-start user-wait"] canvas');
      const instance = (
        window as unknown as {
          Chart: {
            getChart(c: unknown): {
              data: { datasets: { data: (number | null)[]; pointBackgroundColor: string[] }[] };
            };
          };
        }
      ).Chart.getChart(canvas);
      const context = (canvas as HTMLCanvasElement).getContext('2d') as CanvasRenderingContext2D;
      const { data } = context.getImageData(
        0,
        0,
        (canvas as HTMLCanvasElement).width,
        (canvas as HTMLCanvasElement).height,
      );
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) ink++;
      const [values, budget] = instance.data.datasets;
      return {
        values: values?.data,
        colours: values?.pointBackgroundColor,
        budget: budget?.data,
        ink,
      };
    });
    expect(chart.values).toHaveLength(21);
    expect(chart.values?.[20]).toBe(gate.actual);
    expect(chart.colours?.[20]).toBe(FAILURE_COLOUR);
    expect(chart.colours?.filter((c) => c === FAILURE_COLOUR)).toHaveLength(1);
    expect(chart.budget?.[20]).toBeCloseTo(gate.threshold as number, 6);
    expect(chart.ink).toBeGreaterThan(1000);
    // The 21st point links to that run's report, still on disk.
    const link = await page
      .locator('tr[data-run="21"] a', { hasText: 'report' })
      .getAttribute('href');
    expect(path.resolve(trend, decodeURIComponent(link as string))).toBe(
      path.join(out, 'index.html'),
    );

    // The Markdown: GitHub-flavoured tables, and Mermaid charts that Mermaid itself draws.
    const markdown = readFileSync(path.join(trend, 'history.md'), 'utf8');
    const html = await marked.parse(markdown, { gfm: true });
    expect(html).toContain('<table>');
    expect(html.match(/<tr>/g)?.length).toBe(22);
    const charts = [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(charts.length).toBeGreaterThanOrEqual(2);
    const drawn = await browser.newPage();
    await drawn.addScriptTag({ path: MERMAID });
    const svgs = await drawn.evaluate(async (sources) => {
      const mermaid = (
        window as unknown as {
          mermaid: {
            initialize(o: object): void;
            render(id: string, text: string): Promise<{ svg: string }>;
          };
        }
      ).mermaid;
      mermaid.initialize({ startOnLoad: false });
      const out: string[] = [];
      for (const [i, source] of sources.entries())
        out.push((await mermaid.render(`chart${i}`, source)).svg);
      return out;
    }, charts);
    for (const svg of svgs) expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(svgs[0]).toContain('stop-start user-wait');
    await drawn.close();
    await page.close();
    expect(existsSync(path.join(trend, 'history.md'))).toBe(true);
  }, 120_000);
});
