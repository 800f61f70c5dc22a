import path from 'node:path';
import { analyse } from '../analysis/analyse.ts';
import { compareRuns, hasMeasuredTrial } from '../compare/compare-runs.ts';
import { renderCompareFiles, renderCompareTerminal } from '../compare/render.ts';
import { EXIT } from '../errors/tool-error.ts';
import { OutputFolder } from '../export/output-folder.ts';
import { ResultsFileError, readResults } from '../results/read-results.ts';
import { forTerminal } from '../text/escape.ts';
import { defineCommandLine } from './command-line.ts';
import type { CliIo } from './io.ts';
import { UsageError } from './usage-error.ts';

/** `bench compare BASE.json HEAD.json`: exit 1 when HEAD regressed beyond the margin and the noise. */
export async function compareCommand(
  args: {
    base: string;
    head: string;
    maxRegression: string;
    out?: string;
  },
  io: CliIo,
): Promise<number> {
  const margin = /^(\d+(?:\.\d+)?)%$/.exec(args.maxRegression.trim());
  if (!margin)
    throw new UsageError(
      `--max-regression: expected a percentage such as 20%, got "${args.maxRegression}"`,
    );
  // Their figures are compared; the gates each was judged by are not.
  const [{ results: base }, { results: head }] = await Promise.all([
    readResults(args.base),
    readResults(args.head),
  ]);
  for (const [file, results] of [
    [args.base, base],
    [args.head, head],
  ] as const) {
    if (!hasMeasuredTrial(results))
      throw new ResultsFileError(`${file}: no trial was measured to its end: nothing to compare`);
  }
  const comparison = compareRuns(
    { file: args.base, run: analyse(base) },
    { file: args.head, run: analyse(head) },
    Number(margin[1]) / 100,
  );
  if (comparison.deltas.length === 0) {
    throw new UsageError(
      `the two runs have no variant in common (base: ${base.variants.map((v) => v.name).join(', ')}; head: ${head.variants.map((v) => v.name).join(', ')})`,
    );
  }
  const outDir =
    args.out ??
    path.join(
      'reports',
      `${new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '')}-compare`,
    );
  const folder = await OutputFolder.open(outDir, 'keep');
  try {
    for (const file of renderCompareFiles(comparison)) folder.write(file.name, file.content);
  } finally {
    folder.close();
  }
  io.stdout.write(forTerminal(renderCompareTerminal(comparison)));
  io.stdout.write(`\nWrote compare.json, compare.md and junit.xml to ${outDir}\n`);
  return comparison.passed ? EXIT.ok : EXIT.gateFailed;
}

/** `bench compare BASE HEAD [options]` */
export const compareCommandLine = defineCommandLine(
  (command) =>
    command
      .positional('base', {
        type: 'string',
        demandOption: true,
        describe: 'results.json of the baseline',
      })
      .positional('head', {
        type: 'string',
        demandOption: true,
        describe: 'results.json of the change',
      })
      .option('max-regression', {
        type: 'string',
        requiresArg: true,
        default: '20%',
        describe: 'allowed worsening of a median',
      })
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe: 'folder for compare.json, compare.md, junit.xml',
      })
      .example(
        '$0 compare main/results.json pr/results.json --max-regression 10%',
        'gate a pull request on main',
      ),
  (args, io) =>
    compareCommand(
      { base: args.base, head: args.head, maxRegression: args.maxRegression, out: args.out },
      io,
    ),
);
