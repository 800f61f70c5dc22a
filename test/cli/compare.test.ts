import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { renderResultsJson } from '../../src/export/results-json.ts';
import { benchInProcess } from '../helpers/cli.ts';
import { type SyntheticTrials, syntheticReport } from '../helpers/synthetic-report.ts';

/** Saves a run as bench run would, and returns the path of its results.json. */
function saved(name: string, trials: SyntheticTrials): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  const file = path.join(dir, 'results.json');
  writeFileSync(file, renderResultsJson(analyse(syntheticReport(trials))));
  return file;
}

async function compare(base: string, head: string, ...extra: string[]) {
  const out = path.join(path.dirname(head), 'compare');
  const run = await benchInProcess(['compare', base, head, '--out', out, ...extra]);
  return { run, out };
}

const steady = (ms: number, n: number): [number, number][] =>
  Array.from({ length: n }, () => [ms, 0]);

describe('bench compare', () => {
  const base = saved('base', {
    stopStart: steady(4000, 2),
    preboot: [
      [100, 0],
      [110, 0],
    ],
  });

  it('passes a run against itself', async () => {
    const { run, out } = await compare(base, base);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('No regression beyond 20 % and the noise of the trials.');
    const json = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8'));
    expect(json.passed).toBe(true);
    expect(json.deltas).toHaveLength(10);
  });

  it('says when a side did not run to its end', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cut-'));
    const head = path.join(dir, 'results.json');
    const cut = syntheticReport({
      stopStart: steady(4000, 2),
      preboot: [
        [100, 0],
        [110, 0],
      ],
    });
    cut.interrupted = true;
    writeFileSync(head, renderResultsJson(analyse(cut)));
    const { run, out } = await compare(base, head);
    expect(run.stdout).toContain(
      `Note: HEAD (${head}) was interrupted: its figures cover only what it measured.`,
    );
    expect(run.stdout).not.toContain('Note: BASE');
    const json = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8'));
    expect(json.head.outcome).toBe('interrupted');
    expect(json.base.outcome).toBe('completed');
    expect(readFileSync(path.join(out, 'compare.md'), 'utf8')).toMatch(
      /^> Note: HEAD .* was interrupted/m,
    );
  });

  it('finds a known regression, says which, and fails CI', async () => {
    const head = saved('head', {
      stopStart: steady(4000, 2),
      preboot: [
        [900, 2],
        [1000, 3],
      ],
    });
    const { run, out } = await compare(base, head);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /regressions beyond 20 % and the noise: preboot longest transaction \+804\.8 %/,
    );
    const json = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8'));
    const regressed = json.deltas
      .filter((d: { regression: boolean }) => d.regression)
      .map((d: { variant: string; metric: string }) => `${d.variant}.${d.metric}`);
    expect(regressed).toEqual([
      'preboot.longestTransactionMs',
      'preboot.siegeLongestTransactionMs',
      'preboot.longestUserWaitMs',
      'preboot.disruptionMs',
      'preboot.errors',
    ]);

    const xml = readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    expect(suite.tests).toBe('10');
    expect(suite.failures).toBe('5');
    const failed = suite.testcase.filter((c: { failure?: unknown }) => c.failure);
    expect(failed[0].name).toBe('preboot longest transaction');
    expect(failed[0].failure.message).toBe(
      '105 ms → 950 ms (+804.8 %); 2 trials each: too few to tell a difference from noise; 4 trials each can',
    );
    expect(readFileSync(path.join(out, 'compare.md'), 'utf8')).toContain(
      '| preboot | longest transaction | 105 ms | 950 ms | +804.8 % | **REGRESSION** |',
    );
  });

  it('claims no regression that the noise of the trials explains', async () => {
    const noisyBase = saved('noisy-base', {
      stopStart: steady(4000, 4),
      preboot: [
        [100, 0],
        [300, 0],
        [120, 0],
        [280, 0],
      ],
    });
    const noisyHead = saved('noisy-head', {
      stopStart: steady(4000, 4),
      preboot: [
        [110, 0],
        [290, 0],
        [330, 0],
        [260, 0],
      ],
    });
    const { run, out } = await compare(noisyBase, noisyHead);
    expect(run.exitCode, run.stdout).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8'));
    const longest = json.deltas.find(
      (d: { variant: string; metric: string }) =>
        d.variant === 'preboot' && d.metric === 'longestTransactionMs',
    );
    // The median moved by +37 %, beyond the margin, but the trials overlap.
    expect(longest.change).toBeGreaterThan(0.2);
    expect(longest.regression).toBe(false);
    expect(longest.evidence).toMatch(/^rank test p = 0\.\d+, 4 trials each$/);
  });

  it('says when a regression rests on too few trials to tell it from noise, as the verdict does', async () => {
    // What the attack measured: one trial each, 115 ms → 141 ms.
    const one = (ms: number) => ({
      stopStart: steady(4000, 1),
      preboot: [[ms, 0]] as [number, number][],
    });
    const { run, out } = await compare(saved('one-base', one(115)), saved('one-head', one(141)));
    expect(run.exitCode).toBe(1);
    const json = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8'));
    const longest = json.deltas.find(
      (d: { variant: string; metric: string }) =>
        d.variant === 'preboot' && d.metric === 'longestTransactionMs',
    );
    expect(longest).toMatchObject({
      regression: true,
      evidence: '1 trial each: too few to tell a difference from noise; 4 trials each can',
    });
  });

  it('reads the margin from --max-regression', async () => {
    const head = saved('slower', {
      stopStart: steady(4000, 2),
      preboot: [
        [140, 0],
        [150, 0],
      ],
    });
    expect((await compare(base, head)).run.exitCode).toBe(1);
    expect((await compare(base, head, '--max-regression', '50%')).run.exitCode).toBe(0);
    const bad = await compare(base, head, '--max-regression', 'twenty');
    expect(bad.run.exitCode).toBe(2);
    expect(bad.run.stderr).toMatch(
      /--max-regression: expected a percentage such as 20%, got "twenty"/,
    );
  });

  it('refuses a run that measured nothing, with exit 2 and one line', async () => {
    const empty = saved('empty', { stopStart: [], preboot: [] });
    for (const [b, h] of [
      [base, empty],
      [empty, base],
    ] as const) {
      const { run } = await compare(b, h);
      expect(run.exitCode).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(
        `${empty}: no trial was measured to its end: nothing to compare`,
      );
      expect(run.stdout).not.toMatch(/NaN|No regression/);
    }
  });

  it('calls a figure missing on one side not comparable, never the same', async () => {
    const partial = saved('partial', { stopStart: steady(4000, 2), preboot: [] });
    const { run, out } = await compare(base, partial);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).not.toMatch(/NaN|No regression/);
    expect(run.stdout).toContain(
      '5 figures not comparable, which fails the comparison: nothing measured on one side for preboot.',
    );
    const json = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8'));
    const preboot = json.deltas.filter((d: { variant: string }) => d.variant === 'preboot');
    expect(preboot.map((d: { comparable: boolean }) => d.comparable)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(json.passed).toBe(false);
    expect(readFileSync(path.join(out, 'compare.md'), 'utf8')).toContain(
      '| preboot | longest transaction | 105 ms | — | — | not comparable |',
    );
  });
});
