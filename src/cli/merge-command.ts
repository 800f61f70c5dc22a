import { OutputFolder } from '../export/output-folder.ts';
import type { ExportName } from '../export/registry.ts';
import { readResults } from '../results/read-results.ts';
import { mergeShardResults } from '../shard/merge-shards.ts';
import { defineCommandLine } from './command-line.ts';
import { checkExportOption, EXPORT_OPTION, exportFormats } from './export-option.ts';
import type { CliIo } from './io.ts';
import { writeSavedRun } from './report-command.ts';

/** `bench merge SHARD.json… --out DIR`: the shards' results as one run, with every results. */
export async function mergeCommand(
  args: {
    files: string[];
    out: string;
    formats: ExportName[];
    force: boolean;
  },
  io: CliIo,
): Promise<number> {
  const shards = await Promise.all(
    args.files.map(async (file) => ({ file, results: (await readResults(file)).results })),
  );
  const merged = mergeShardResults(shards);
  const folder = await OutputFolder.open(args.out, args.force ? 'replace' : 'refuse');
  try {
    // Shards are judged by no gate: a merge is judged by none either.
    return await writeSavedRun({ results: merged, gates: [] }, folder, args.formats, io);
  } finally {
    folder.close();
  }
}

/** `bench merge FILES… --out DIR` */
export const mergeCommandLine = defineCommandLine(
  (command) =>
    command
      .positional('files', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: "shards' results.json (or merges of them)",
      })
      .option('out', {
        type: 'string',
        requiresArg: true,
        demandOption: true,
        describe: 'folder for the reports',
      })
      .option('export', EXPORT_OPTION)
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'write into an --out folder that already holds files',
      })
      .check(checkExportOption)
      .example(
        '$0 merge shard-*/results.json --out merged',
        'one report for a run sharded over several machines',
      ),
  (args, io) =>
    mergeCommand(
      {
        files: args.files.map(String),
        out: args.out,
        formats: exportFormats(args.export),
        force: args.force,
      },
      io,
    ),
);
