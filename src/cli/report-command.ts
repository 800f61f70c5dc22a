import path from 'node:path';
import { analyse } from '../analysis/analyse.ts';
import { EXIT } from '../errors/tool-error.ts';
import { OutputFolder } from '../export/output-folder.ts';
import type { ExportName } from '../export/registry.ts';
import { writeReportsInto } from '../export/write-reports.ts';
import { readResults } from '../results/read-results.ts';
import type { SavedRun } from '../results/run.ts';
import { forTerminal } from '../text/escape.ts';
import { defineCommandLine } from './command-line.ts';
import { checkExportOption, EXPORT_OPTION, exportFormats } from './export-option.ts';
import type { CliIo } from './io.ts';
import { printSummary } from './print-summary.ts';

/** `bench report RESULTS.json`: re-renders every export of a saved run, running nothing. */
export async function reportCommand(
  args: {
    file: string;
    out?: string;
    formats: ExportName[];
  },
  io: CliIo,
): Promise<number> {
  const saved = await readResults(args.file);
  // Beside the run's own files: a re-render replaces its reports.
  const folder = await OutputFolder.open(args.out ?? path.dirname(args.file), 'keep');
  try {
    return await writeSavedRun(saved, folder, args.formats, io);
  } finally {
    folder.close();
  }
}

/**
 * Writes the reports of a run read back (`report`, `merge`) and prints the summary. When every
 * format asked for was skipped (PNGs without canvas) nothing was done: exit 3, and the last line
 * says why.
 */
export async function writeSavedRun(
  saved: SavedRun,
  folder: OutputFolder,
  formats: ExportName[],
  io: CliIo,
): Promise<number> {
  const run = analyse(
    saved.results,
    () => saved.gates,
    () => saved.history,
  );
  const skipped: string[] = [];
  const warn = (line: string) => {
    skipped.push(line);
    io.stderr.write(`${forTerminal(line)}\n`);
  };
  const written = await writeReportsInto(folder, run, formats, warn, io.env);
  if (written.length === 0) {
    printSummary(
      run,
      `Wrote no files to ${folder.dir}: ${skipped.join('; ') || 'no format asked for'}`,
      io.stdout,
    );
    return EXIT.runFailed;
  }
  printSummary(
    run,
    `Wrote ${written.length} file${written.length === 1 ? '' : 's'} to ${folder.dir}`,
    io.stdout,
  );
  return EXIT.ok;
}

/** `bench report RESULTS [options]` */
export const reportCommandLine = defineCommandLine(
  (command) =>
    command
      .positional('results', {
        type: 'string',
        demandOption: true,
        describe: 'a results.json written by bench run',
      })
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe: "folder to write into (default: the results' folder)",
      })
      .option('export', EXPORT_OPTION)
      .check(checkExportOption)
      .example(
        '$0 report reports/my-run/results.json --out /tmp/again',
        'the same files again, elsewhere',
      ),
  (args, io) =>
    reportCommand(
      {
        file: args.results,
        out: args.out,
        formats: exportFormats(args.export),
      },
      io,
    ),
);
