import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_HINT_IN_A_CLONE } from '../../src/export/png.ts';
import { formatMs } from '../../src/text/format.ts';
import { launchChromium } from '../helpers/browser.ts';
import { BENCH, REPO, SAMPLE_APP } from '../helpers/scenarios.ts';

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

let out: string;
let browser: Browser;

/** One real run, shared by the tests of this file: a scenario whose name is an XSS attempt. */
beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-report-'));
  const file = path.join(dir, 'hostile.yaml');
  writeFileSync(
    file,
    `name: ${JSON.stringify(HOSTILE_NAME)}
description: "</script><script>alert(2)</script>"
target:
  platform:
    app: { command: [node, ${JSON.stringify(SAMPLE_APP)}], env: { BOOT_MS: 700, WORK_MS: 2 } }
load: { users: 2 }
timeline: { settle: 300ms, warmup: 1s, cooldown: 1s }
analysis: { interval: 250ms }
gates: ["*.errors == 0", "preboot.longest < 5s"]
variants:
  - { name: stop-start, strategy: stop-start }
  - { name: preboot, strategy: preboot }
`,
  );
  out = path.join(dir, 'out');
  const run = await execa('node', [BENCH, 'run', file, '--out', out], { reject: false });
  expect(run.exitCode, run.stderr).toBe(0);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const results = () => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));

/** What the tests read of Chart.js and its annotation plugin in the page. */
interface LabelElement {
  x: number;
  y: number;
  x2: number;
  y2: number;
  options: { type?: string; display?: boolean; content?: unknown };
}
interface ChartInstance {
  chartArea: { left: number; right: number; top: number; bottom: number };
  scales: Record<string, { min: number; max: number; ticks: unknown[] } | undefined>;
  data: { datasets: unknown[] };
}
interface ChartGlobal {
  getChart(canvas: HTMLCanvasElement): ChartInstance;
  registry: {
    getPlugin(id: 'annotation'): {
      getAnnotations(chart: ChartInstance): (LabelElement & { label?: LabelElement })[];
    };
  };
}

describe('the HTML report in a real browser', () => {
  it('renders every chart offline, without errors, and runs no injected script', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const outsideRequests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      outsideRequests.push(url);
      return route.abort();
    });

    await page.goto(`file://${path.join(out, 'index.html')}`);
    await page.waitForSelector('html[data-charts="ready"]', { timeout: 10_000 });

    expect(problems).toEqual([]);
    expect(outsideRequests).toEqual([]);
    // The hostile name is shown as text, not turned into an element.
    expect(await page.locator('h1').textContent()).toBe(HOSTILE_NAME);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(3);

    const canvases = await page.locator('canvas').count();
    expect(canvases).toBe(7);
    const inkPerCanvas = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) ink++;
        return ink;
      }),
    );
    for (const ink of inkPerCanvas) expect(ink).toBeGreaterThan(1000);
    await page.close();
  });

  it('answers above the fold: the verdict, the lanes and the waits, inked, labels apart', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`file://${path.join(out, 'index.html')}`);
    await page.waitForSelector('html[data-charts="ready"]', { timeout: 10_000 });
    expect(problems).toEqual([]);

    // One lanes chart per variant, and the waits, wholly within the first screen.
    const bottoms = await page.evaluate(() =>
      ['#headline', '[data-chart="lanes"]', '[data-chart="waits"]'].flatMap((selector) =>
        [...document.querySelectorAll(selector)].map((el) => el.getBoundingClientRect().bottom),
      ),
    );
    expect(bottoms).toHaveLength(4);
    for (const bottom of bottoms) expect(bottom).toBeLessThanOrEqual(900);

    // Under the verdict, why: stop-start's finding in one line, which opens on what to change;
    // preboot's "nothing found".
    const finding = page.locator('#findings details.finding.fault').first();
    expect(await finding.locator('summary').textContent()).toMatch(
      /^stop-start: nothing was up for [\d.]+ m?s \(fault, 1 of 1 trial\)/,
    );
    const change = finding.getByText('What to change:');
    expect(await change.isVisible()).toBe(false);
    await finding.locator('summary').click();
    expect(await change.isVisible()).toBe(true);
    expect(await page.locator('#findings .finding.none').textContent()).toBe(
      'preboot: nothing found: none of the causes in docs/diagnosis.md showed',
    );

    const charts = await page.evaluate(() => {
      const { Chart } = window as unknown as { Chart: ChartGlobal };
      return [...document.querySelectorAll('figure[data-chart]')].map((figure) => {
        const canvas = figure.querySelector('canvas') as HTMLCanvasElement;
        const chart = Chart.getChart(canvas);
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) ink++;
        const annotations = Chart.registry.getPlugin('annotation').getAnnotations(chart);
        const labels = annotations.flatMap((element) => {
          const label = element.options.type === 'label' ? element : element.label;
          if (!label || label.options.display === false || !label.options.content) return [];
          return [
            {
              text: String(label.options.content),
              x: label.x,
              y: label.y,
              x2: label.x2,
              y2: label.y2,
            },
          ];
        });
        const ticks = chart.scales.x?.ticks.length ?? 0;
        const y = chart.scales.y;
        const datasets = chart.data.datasets as { label?: string; data: { y: number }[] }[];
        const largest = Math.max(
          0,
          ...datasets.flatMap((d) =>
            d.data.map((p) => (typeof p === 'object' && p && Number.isFinite(p.y) ? p.y : 0)),
          ),
        );
        return {
          kind: (figure as HTMLElement).dataset.chart,
          ink,
          labels,
          ticks,
          area: chart.chartArea,
          y: y ? { min: y.min, max: y.max } : null,
          largest,
        };
      });
    });
    expect(charts.map((c) => c.kind)).toEqual([
      'lanes',
      'lanes',
      'waits',
      'latency',
      'latency',
      'throughput',
      'percentiles',
    ]);
    for (const chart of charts) {
      expect(chart.ink, chart.kind).toBeGreaterThan(1000);
      // No two labels of a chart overlap, and each lies within its plot.
      for (const [i, a] of chart.labels.entries()) {
        expect(a.x, a.text).toBeGreaterThanOrEqual(chart.area.left - 1);
        expect(a.x2, a.text).toBeLessThanOrEqual(chart.area.right + 1);
        for (const b of chart.labels.slice(i + 1)) {
          const apart = a.x2 <= b.x || b.x2 <= a.x || a.y2 <= b.y || b.y2 <= a.y;
          expect(apart, `${chart.kind}: "${a.text}" and "${b.text}"`).toBe(true);
        }
      }
    }
    // The phases are labelled on the lanes; the waits carry their values.
    const lanes = charts.filter((c) => c.kind === 'lanes');
    expect(lanes.every((c) => c.labels.length >= 2)).toBe(true);
    const waits = charts.find((c) => c.kind === 'waits');
    expect(waits?.labels.map((l) => l.text)).toEqual(
      results().variants.map(
        (v: { summary: { metrics: Record<'longestUserWaitMs' | 'errors', { median: number }> } }) =>
          `${formatMs(v.summary.metrics.longestUserWaitMs.median)} · ${v.summary.metrics.errors.median} failed`,
      ),
    );
    // Both latency charts on one scale, above their largest value so that its marker is whole.
    const [a, b] = charts.filter((c) => c.kind === 'latency');
    expect(a?.y).toEqual(b?.y);
    for (const chart of [a, b]) expect(chart?.largest).toBeLessThan(chart?.y?.max as number);
    await page.close();
  });

  it('fits a phone: nothing overflows at 390 px, labels still apart', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`file://${path.join(out, 'index.html')}`);
    await page.waitForSelector('html[data-charts="ready"]', { timeout: 10_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    const overlaps = await page.evaluate(() => {
      const { Chart } = window as unknown as { Chart: ChartGlobal };
      return [...document.querySelectorAll('canvas')].flatMap((canvas) => {
        const chart = Chart.getChart(canvas);
        const boxes = Chart.registry
          .getPlugin('annotation')
          .getAnnotations(chart)
          .flatMap((element) => {
            const label = element.options.type === 'label' ? element : element.label;
            return label && label.options.display !== false && label.options.content ? [label] : [];
          });
        return boxes.flatMap((a, i) =>
          boxes
            .slice(i + 1)
            .filter((b) => !(a.x2 <= b.x || b.x2 <= a.x || a.y2 <= b.y || b.y2 <= a.y))
            .map((b) => `${a.options.content} / ${b.options.content}`),
        );
      });
    });
    expect(overlaps).toEqual([]);
    await page.close();
  });

  it('shows the figures of results.json in the comparison table', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${path.join(out, 'index.html')}`);
    const cell = async (row: string, column: number) => {
      const label = page.locator('td:first-child', { hasText: new RegExp(`^${row}$`) });
      const cells = page.locator('#comparison tbody tr').filter({ has: label }).locator('td');
      return (await cells.nth(column).textContent()) ?? '';
    };
    const [stopStart, preboot] = results().variants.map(
      (v: { trials: Record<string, number>[] }) => v.trials[0],
    );
    expect(await cell('longest transaction', 1)).toBe(formatMs(stopStart.longestTransactionMs));
    expect(await cell('longest transaction', 2)).toBe(formatMs(preboot.longestTransactionMs));
    expect(await cell('longest user wait', 1)).toBe(formatMs(stopStart.longestUserWaitMs));
    expect(await cell('requests', 2)).toBe(String(preboot.requests));
    expect(await page.locator('#headline').textContent()).toBe(results().comparison.headline);
    expect(await page.locator('#verdict').textContent()).toBe('Gates: all 3 gates passed');
    await page.close();
  });
});

describe('JUnit', () => {
  it('writes a valid junit.xml with one test case per gate and per deploy', () => {
    const xml = readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const [gates, deploys] = parsed.testsuites.testsuite;
    expect(gates.name).toBe(`gates: ${HOSTILE_NAME}`);
    expect(gates.testcase.map((c: { name: string }) => c.name)).toEqual([
      'stop-start.errors == 0',
      'preboot.errors == 0',
      'preboot.longest < 5.00 s',
    ]);
    expect(gates.failures).toBe('0');
    expect(deploys.testcase.map((c: { name: string }) => c.name)).toEqual([
      'stop-start trial 1 deploy',
      'preboot trial 1 deploy',
    ]);
    // Each deploy's test case takes the deploy's own time, as results.json measured it.
    expect(deploys.testcase.map((c: { time: string }) => Number(c.time))).toEqual(
      results().variants.map((v: { trials: { deployDurationMs: number }[] }) =>
        Number(((v.trials[0]?.deployDurationMs ?? Number.NaN) / 1000).toFixed(3)),
      ),
    );
  });
});

/** What this test reads back with canvas, an optional peer the type-check may run without. */
interface CanvasModule {
  loadImage(bytes: Buffer): Promise<{ width: number; height: number }>;
  createCanvas(
    width: number,
    height: number,
  ): {
    getContext(kind: '2d'): {
      drawImage(image: unknown, x: number, y: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    };
  };
}

describe('PNG charts', () => {
  it('writes one valid, non-blank PNG per chart', async () => {
    const canvasPackage: string = 'canvas';
    const { loadImage, createCanvas } = (await import(canvasPackage)) as CanvasModule;
    const pngs = readdirSync(out)
      .filter((f) => f.endsWith('.png'))
      .sort();
    expect(pngs).toEqual([
      'lanes-preboot.png',
      'lanes-stop-start.png',
      'latency-preboot.png',
      'latency-stop-start.png',
      'percentiles.png',
      'throughput.png',
      'waits.png',
    ]);
    for (const png of pngs) {
      const bytes = readFileSync(path.join(out, png));
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      const image = await loadImage(bytes);
      expect([image.width, image.height]).toEqual([1000, 450]);
      const canvas = createCanvas(image.width, image.height);
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4)
        if ((data[i] as number) < 200 || (data[i + 2] as number) < 200) coloured++;
      expect(coloured, png).toBeGreaterThan(2000);
    }
  });
});

describe('bench report', () => {
  it('reproduces every file of the run from results.json alone', async () => {
    const again = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-again-')), 'out');
    const report = await execa(
      'node',
      [BENCH, 'report', path.join(out, 'results.json'), '--out', again],
      {
        reject: false,
      },
    );
    expect(report.exitCode, report.stderr).toBe(0);
    const files = readdirSync(out).sort();
    expect(readdirSync(again).sort()).toEqual(files);
    for (const file of files) {
      expect(
        readFileSync(path.join(again, file)).equals(readFileSync(path.join(out, file))),
        file,
      ).toBe(true);
    }
  });

  it('writes only the formats asked for', async () => {
    const only = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-only-')), 'out');
    const report = await execa(
      'node',
      [BENCH, 'report', path.join(out, 'results.json'), '--out', only, '--export', 'md,hgrm'],
      {
        reject: false,
      },
    );
    expect(report.exitCode, report.stderr).toBe(0);
    expect(readdirSync(only).sort()).toEqual(['preboot.hgrm', 'stop-start.hgrm', 'summary.md']);
  });

  it('writes everything but the PNGs, and says how to get them, where canvas is missing', async () => {
    const without = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-nocanvas-')), 'out');
    const hide = path.join(REPO, 'test/fixtures/hide-canvas.mjs');
    const report = await execa(
      'node',
      ['--import', hide, BENCH, 'report', path.join(out, 'results.json'), '--out', without],
      {
        reject: false,
      },
    );
    expect(report.exitCode, report.stderr).toBe(0);
    // Run from this clone: the hint that does not write into its package.json.
    expect(report.stderr.trim()).toBe(PNG_HINT_IN_A_CLONE);
    expect(readdirSync(without).sort()).toEqual([
      'index.html',
      'junit.xml',
      'metrics.txt',
      'preboot.hgrm',
      'results.json',
      'stop-start.hgrm',
      'summary.md',
    ]);
    expect(readFileSync(path.join(without, 'summary.md'), 'utf8')).not.toContain('.png');
  });

  it('answers a file that is not a results.json with exit code 2 and one line', async () => {
    const report = await execa('node', [BENCH, 'report', path.join(REPO, 'package.json')], {
      reject: false,
    });
    expect(report.exitCode).toBe(2);
    expect(report.stderr.trim().split('\n')).toHaveLength(1);
    expect(report.stderr).toMatch(
      /package\.json: not a deploy-bench results\.json: schemaVersion: missing/,
    );
    const unknown = await execa(
      'node',
      [BENCH, 'report', path.join(out, 'results.json'), '--export', 'pdf'],
      {
        reject: false,
      },
    );
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(
      /--export: expected some of json, hgrm, png, html, md, junit, metrics, got "pdf"/,
    );
  });
});
