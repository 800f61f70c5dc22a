import path from 'node:path';
import { EXIT } from '../errors/tool-error.ts';
import { OutputFolder } from '../export/output-folder.ts';
import { HistoryError, HistoryFolder } from '../history/folder.ts';
import { buildTrend } from '../history/trend.ts';
import { renderTrendHtml, renderTrendMarkdown } from '../history/trend-page.ts';
import { forTerminal } from '../text/escape.ts';
import { defineCommandLine } from './command-line.ts';
import type { CliIo } from './io.ts';

/** Where `bench history` writes unless `--out` says. */
const DEFAULT_OUT = path.join('reports', 'history');

/**
 * `bench history DIR`: the trend of every scenario recorded in a history folder, as history.html
 * and history.md. Reads the folder, writes only into `--out`.
 */
export async function historyCommand(
  args: { dir: string; out?: string },
  io: CliIo,
): Promise<number> {
  const history = await HistoryFolder.open(args.dir, 'read');
  const { records, refused, unread } = await history.read();
  for (const { file, reason } of refused)
    io.stderr.write(
      `${forTerminal(`history: ${path.join(args.dir, file)} is not counted: ${reason}`)}\n`,
    );
  if (unread > 0)
    io.stderr.write(`history: ${unread} older files of ${forTerminal(args.dir)} were not read\n`);
  // A folder of files that are all refused is a mistake worth a line, not an empty page.
  if (records.length === 0 && refused.length > 0)
    throw new HistoryError(
      `${args.dir}: no deploy-bench record in it (${refused.length} file${refused.length === 1 ? '' : 's'} not counted, e.g. ${refused[0]?.file}: ${refused[0]?.reason})`,
    );
  const outDir = args.out ?? DEFAULT_OUT;
  const trend = buildTrend(args.dir, records, refused, outDir);
  const folder = await OutputFolder.open(outDir, 'keep');
  try {
    folder.write('history.html', renderTrendHtml(trend));
    folder.write('history.md', renderTrendMarkdown(trend));
  } finally {
    folder.close();
  }
  for (const scenario of trend.scenarios) {
    const broke = scenario.runs.filter((r) => r.failed.length > 0).length;
    io.stdout.write(
      `${forTerminal(scenario.label ? `${scenario.scenario} (${scenario.label})` : scenario.scenario)}: ${scenario.runs.length} runs, ${broke} failed a gate\n`,
    );
  }
  io.stdout.write(`Wrote history.html and history.md to ${forTerminal(outDir)}\n`);
  return EXIT.ok;
}

/** `bench history DIR [--out OUT]` */
export const historyCommandLine = defineCommandLine(
  (command) =>
    command
      .positional('dir', {
        type: 'string',
        demandOption: true,
        describe: 'a folder that bench run --history wrote',
      })
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe: `folder for history.html and history.md (default ${DEFAULT_OUT}/)`,
      })
      .example('$0 history .bench-history', 'the trend of every scenario recorded there'),
  (args, io) => historyCommand({ dir: args.dir, ...(args.out ? { out: args.out } : {}) }, io),
);
