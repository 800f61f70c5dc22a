import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { printSummary } from '../../src/cli/print-summary.ts';
import { writeReports } from '../../src/export/write-reports.ts';
import { readResults } from '../../src/results/read-results.ts';
import { resultsDocumentSchema } from '../../src/results/results-document.ts';
import { expectGolden } from '../helpers/golden.ts';
import { REPO } from '../helpers/scenarios.ts';

/**
 * A real run of scenarios/preboot.yaml, saved: the reports rendered from it are pinned, so a change
 * that means to keep every behaviour (a refactor) shows any figure or word it moved. The expected
 * files, results.json (`expected-results.json`) and the terminal summary included, were written by
 * the code before issue 16's refactor; a new metric changes them, never the saved input.
 * UPDATE_GOLDEN=1 writes the expected files instead (then review the diff).
 */
const RUN = path.join(REPO, 'test/fixtures/golden-run');
const FORMATS = ['json', 'md', 'junit', 'hgrm', 'html'] as const;

/** The page inlines Chart.js (300 KB, another project's): what it renders is what is pinned. */
const withoutVendor = (html: string) =>
  html.replace(/<script>([\s\S]*?)<\/script>/g, (block, body: string) =>
    body.length > 50_000 ? '<script>/* Chart.js */</script>' : block,
  );

describe('the reports of a saved run', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'bench-golden-run-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('are the pinned ones, file by file', async () => {
    const saved = await readResults(path.join(RUN, 'results.json'));
    await writeReports(
      analyse(saved.results, () => saved.gates),
      out,
      [...FORMATS],
      () => {},
    );
    const written = readdirSync(out)
      .filter((f) => !f.startsWith('.'))
      .sort();
    expect(written).toEqual([
      'index.html',
      'junit.xml',
      'preboot.hgrm',
      'results.json',
      'stop-start.hgrm',
      'summary.md',
    ]);
    for (const file of written) {
      const content = readFileSync(path.join(out, file), 'utf8');
      const actual = file === 'index.html' ? withoutVendor(content) : content;
      expectGolden(path.join(RUN, `expected-${file}`), actual);
    }
    // Re-rendered, the measurements come back as they were saved; only the analysis, derived from
    // them, may change (a new metric).
    const measured = (file: string) =>
      resultsDocumentSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(measured(path.join(out, 'results.json'))).toEqual(
      measured(path.join(RUN, 'results.json')),
    );
  });

  it('print the pinned terminal summary', async () => {
    const saved = await readResults(path.join(RUN, 'results.json'));
    const run = analyse(saved.results, () => saved.gates);
    const printed: string[] = [];
    const stdout = { write: (text: string) => printed.push(text) > 0 };
    printSummary(run, 'Report: reports/golden/index.html', stdout as NodeJS.WritableStream);
    expectGolden(path.join(RUN, 'expected-terminal.txt'), printed.join(''));
  });
});
