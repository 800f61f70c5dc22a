import path from 'node:path';
import type { ExportName } from '../export/exporter.ts';
import { writeReports } from '../export/write-reports.ts';
import { readResults } from '../run/read-results.ts';
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
  const written = await writeReports(report, outDir, args.formats, (line) =>
    process.stderr.write(`${line}\n`),
  );
  printSummary(report, `Wrote ${written.length} files to ${outDir}`);
  return EXIT.ok;
}
