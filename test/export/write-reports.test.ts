import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { EXPORTERS } from '../../src/export/registry.ts';
import { exportContext, ReportsNotWritten, writeReports } from '../../src/export/write-reports.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

describe('writing the reports', () => {
  it('writes every other report when one cannot be written, then says which failed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-reports-'));
    // A folder where index.html would go: its rename fails, as on a real disk.
    mkdirSync(path.join(dir, 'index.html'));
    const written = writeReports(
      analyse(syntheticReport()),
      dir,
      ['json', 'html', 'md', 'junit'],
      () => {},
    );
    const error = await written.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportsNotWritten);
    const { failures } = error as ReportsNotWritten;
    expect(failures.map((f) => f.format)).toEqual(['html']);
    expect(failures[0]?.message).toMatch(/^cannot write .*index\.html: /);
    // results.json went out first; the formats after the failed one went out all the same.
    expect(JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')).variants).toHaveLength(
      2,
    );
    expect(existsSync(path.join(dir, 'summary.md'))).toBe(true);
    expect(existsSync(path.join(dir, 'junit.xml'))).toBe(true);
  });

  it("names every file a format writes in that format's `files`, which --force clears", async () => {
    const run = analyse(syntheticReport());
    for (const exporter of EXPORTERS) {
      // A format this machine cannot produce (PNG without canvas) has nothing to check here.
      const files = await Promise.resolve()
        .then(() =>
          exporter.render(
            run,
            exportContext(() => run),
          ),
        )
        .catch(() => []);
      for (const file of files) expect(file.name).toMatch(exporter.files);
      // No other format claims them: --force of one run's files leaves nothing else behind or out.
      const others = EXPORTERS.filter((e) => e !== exporter);
      for (const file of files) expect(others.filter((e) => e.files.test(file.name))).toEqual([]);
    }
    // A file of the user's, beside the reports, is none of theirs.
    expect(EXPORTERS.filter((e) => e.files.test('notes.txt'))).toEqual([]);
  });
});
