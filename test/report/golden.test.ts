import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import type { OutputFile } from '../../src/export/exporter.ts';
import { hgrmExporter } from '../../src/export/hgrm.ts';
import { renderJunit } from '../../src/export/junit.ts';
import { markdownExporter } from '../../src/export/markdown.ts';
import { renderResultsJson } from '../../src/export/results-json.ts';
import { renderTerminal } from '../../src/export/terminal.ts';
import { exportContext } from '../../src/export/write-reports.ts';
import { expectGolden } from '../helpers/golden.ts';
import { REPO } from '../helpers/scenarios.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

const GOLDEN = path.join(REPO, 'test/fixtures/golden');

const expectGoldenFile = (file: OutputFile) =>
  expectGolden(path.join(GOLDEN, file.name), String(file.content));

describe('golden files', () => {
  it('summary.md, with the PNGs of the same run', async () => {
    const run = analyse(syntheticReport());
    const context = exportContext(() => run);
    context.pngFiles = ['lanes-preboot.png', 'waits.png'];
    const files = await markdownExporter.render(run, context);
    expect(files).toHaveLength(1);
    expectGoldenFile(files[0] as OutputFile);
  });

  it('<variant>.hgrm', async () => {
    const run = analyse(syntheticReport());
    const files = await hgrmExporter.render(
      run,
      exportContext(() => run),
    );
    expect(files.map((f) => f.name)).toEqual(['stop-start.hgrm', 'preboot.hgrm']);
    for (const file of files) expectGoldenFile(file);
  });

  it('results.json, junit.xml and the terminal summary', () => {
    const run = analyse(syntheticReport());
    expectGolden(path.join(GOLDEN, 'results.json'), renderResultsJson(run));
    expectGolden(path.join(GOLDEN, 'junit.xml'), renderJunit(run));
    expectGolden(path.join(GOLDEN, 'terminal.txt'), renderTerminal(run));
  });
});
