import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutputFile } from '../../src/export/exporter.ts';
import { hgrmExporter } from '../../src/export/hgrm.ts';
import { markdownExporter } from '../../src/export/markdown.ts';
import { REPO } from '../helpers/scenarios.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

const GOLDEN = path.join(REPO, 'test/fixtures/golden');

/** Compares with the golden file; UPDATE_GOLDEN=1 writes it instead (then review the diff). */
function expectGolden(file: OutputFile) {
  const golden = path.join(GOLDEN, file.name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, file.content);
  expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(String(file.content)).toBe(readFileSync(golden, 'utf8'));
}

describe('golden files', () => {
  it('summary.md, with the PNGs of the same run', async () => {
    const files = await markdownExporter.render(syntheticReport(), {
      pngFiles: ['lanes-preboot.png', 'waits.png'],
    });
    expect(files).toHaveLength(1);
    expectGolden(files[0] as OutputFile);
  });

  it('<variant>.hgrm', async () => {
    const files = await hgrmExporter.render(syntheticReport(), { pngFiles: [] });
    expect(files.map((f) => f.name)).toEqual(['stop-start.hgrm', 'preboot.hgrm']);
    for (const file of files) expectGolden(file);
  });
});
