import type { ExportName } from '../export/registry.ts';
import { prepareOutputFolder } from '../export/write-file.ts';
import { readResults } from '../results/read-results.ts';
import { mergeShardResults } from '../shard/merge-shards.ts';
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
    args.files.map(async (file) => ({ file, results: await readResults(file) })),
  );
  const merged = mergeShardResults(shards);
  const release = await prepareOutputFolder(args.out, { force: args.force });
  try {
    return await writeSavedRun(merged, args.out, args.formats, io);
  } finally {
    release();
  }
}
