import type { ExportName } from '../export/exporter.ts';
import { prepareOutputFolder } from '../export/write-file.ts';
import { writeReports } from '../export/write-reports.ts';
import { readResults } from '../run/read-results.ts';
import { mergeShardReports } from '../shard/merge-shards.ts';
import { EXIT } from './exit-codes.ts';
import { printSummary } from './print-summary.ts';

/** `bench merge SHARD.json… --out DIR`: the shards' results as one run, with every report. */
export async function mergeCommand(args: {
  files: string[];
  out: string;
  formats: ExportName[];
  force: boolean;
}): Promise<number> {
  const reports = await Promise.all(
    args.files.map(async (file) => ({ file, report: await readResults(file) })),
  );
  const merged = mergeShardReports(reports);
  const release = await prepareOutputFolder(args.out, { force: args.force });
  try {
    const written = await writeReports(merged, args.out, args.formats, (line) =>
      process.stderr.write(`${line}\n`),
    );
    printSummary(merged, `Wrote ${written.length} files to ${args.out}`);
    return EXIT.ok;
  } finally {
    release();
  }
}
