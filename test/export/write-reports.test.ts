import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { ReportsNotWritten, writeReports } from '../../src/export/write-reports.ts';
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
});
