import path from 'node:path';
import { analyse } from '../analysis/analyse.ts';
import type { ExportName } from '../export/exporter.ts';
import { writeReports } from '../export/write-reports.ts';
import { readResults } from '../results/read-results.ts';
import type { RunResults } from '../results/run.ts';
import { forTerminal } from '../text/escape.ts';
import { EXIT } from './exit-codes.ts';
import { printSummary } from './print-summary.ts';

/** `bench report RESULTS.json`: re-renders every export of a saved run, running nothing. */
export async function reportCommand(args: {
  file: string;
  out?: string;
  formats: ExportName[];
}): Promise<number> {
  const report = await readResults(args.file);
  const outDir = args.out ?? path.dirname(args.file);
  return writeSavedRun(report, outDir, args.formats);
}

/**
 * Writes the reports of a run read back (`report`, `merge`) and prints the summary. When every
 * format asked for was skipped (PNGs without canvas) nothing was done: exit 3, and the last line
 * says why.
 */
export async function writeSavedRun(
  results: RunResults,
  outDir: string,
  formats: ExportName[],
): Promise<number> {
  const run = analyse(results);
  const skipped: string[] = [];
  const written = await writeReports(run, outDir, formats, (line) => {
    skipped.push(line);
    process.stderr.write(`${forTerminal(line)}\n`);
  });
  if (written.length === 0) {
    printSummary(
      run,
      `Wrote no files to ${outDir}: ${skipped.join('; ') || 'no format asked for'}`,
    );
    return EXIT.runFailed;
  }
  printSummary(run, `Wrote ${written.length} file${written.length === 1 ? '' : 's'} to ${outDir}`);
  return EXIT.ok;
}
