import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_HINT } from '../../src/export/png.ts';
import { formatMs } from '../../src/scenario/duration.ts';
import { launchChromium } from '../helpers/browser.ts';
import { REPO, SAMPLE_APP } from '../helpers/scenarios.ts';

const BENCH = path.join(REPO, 'bin/bench.js');
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
  });
});

describe('PNG charts', () => {
  it('writes one valid, non-blank PNG per chart', async () => {
    const { loadImage, createCanvas } = await import('canvas');
    const pngs = readdirSync(out)
      .filter((f) => f.endsWith('.png'))
      .sort();
    expect(pngs).toEqual([
      'latency-preboot.png',
      'latency-stop-start.png',
      'longest.png',
      'percentiles.png',
      'releases-preboot.png',
      'releases-stop-start.png',
      'throughput.png',
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
    expect(report.stderr.trim()).toBe(PNG_HINT);
    expect(readdirSync(without).sort()).toEqual([
      'index.html',
      'junit.xml',
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
      /package\.json: not a deploy-bench results\.json of schema version 1/,
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
      /--export: expected some of json, hgrm, png, html, md, junit, got "pdf"/,
    );
  });
});
