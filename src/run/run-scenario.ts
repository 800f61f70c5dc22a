import { type AnalysedRun, analyse } from '../analysis/analyse.ts';
import type { ExportName } from '../export/registry.ts';
import { renderResultsJson } from '../export/results-json.ts';
import { makeFolder, OutputError, writeFileAtomic } from '../export/write-file.ts';
import { ReportsNotWritten, writeReports } from '../export/write-reports.ts';
import { evaluateRunGates } from '../gates/evaluate.ts';
import type { Gate } from '../gates/parse.ts';
import type { RunResults } from '../results/run.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { type MeasureOptions, measureScenario } from './measure.ts';
import { guarded } from './observer.ts';

export interface RunOptions extends Omit<MeasureOptions, 'checkpoint'> {
  /** Where results.json (after every trial) and the reports go. */
  outDir: string;
  /** The gates to evaluate once every trial ran: the scenario's and any added. */
  gates: readonly Gate[];
  /** Formats to write after the run (results.json is also written after each trial). */
  formats: readonly ExportName[];
  /** A problem that does not stop the run: a format this machine cannot write, a file not written. */
  warn?: (line: string) => void;
}

/**
 * The one way a run goes, for the CLI and the library alike: measure every variant × trial, evaluate
 * the gates, analyse once, write every report. A report that cannot be written makes the run failed
 * (its figures are still returned); an abort while the reports are written finishes them, saying the
 * run was interrupted.
 */
export async function runLoadedScenario(
  loaded: LoadedScenario,
  options: RunOptions,
): Promise<AnalysedRun> {
  const { outDir, formats, signal } = options;
  const warn = options.warn ?? (() => {});
  const observer = guarded(options.observer ?? {}, (error) =>
    warn(`an observer of the run failed: ${(error as Error).message ?? error}`),
  );
  await makeFolder(outDir);
  const results = await measureScenario(loaded, {
    ...options,
    observer,
    checkpoint: (sofar) => saveResults(outDir, sofar),
  });
  const gated = (): AnalysedRun => {
    const run = analyse(results);
    results.gates = evaluateRunGates(options.gates, run);
    return run;
  };
  let run = gated();
  observer.writingReports();
  let interruptedWhileWriting = false;
  const current = () => {
    // An abort while the reports are written: they are finished (it takes a second) and say so.
    if (signal.aborted && !results.interrupted) {
      results.interrupted = true;
      interruptedWhileWriting = true;
      run = gated();
    }
    return run;
  };
  try {
    await writeReports(current, outDir, formats, warn, loaded.env);
    // results.json may have gone out before the abort: again, so that it says what the rest say.
    if (interruptedWhileWriting && formats.includes('json'))
      await writeReports(run, outDir, ['json'], warn, loaded.env);
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    run = failedToWrite(error, results, gated, warn);
    // results.json went out first: again, so that it says the run failed, as the exit code does.
    const jsonWritten =
      error instanceof ReportsNotWritten && !error.failures.some((f) => f.format === 'json');
    if (formats.includes('json') && jsonWritten)
      await writeReports(run, outDir, ['json'], warn, loaded.env).catch(() => {});
  }
  return run;
}

/** results.json as the run stands; why it could not be written, when it could not. */
async function saveResults(outDir: string, results: RunResults): Promise<string | undefined> {
  try {
    await writeFileAtomic(outDir, 'results.json', renderResultsJson(analyse(results)));
    return undefined;
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    return error.message;
  }
}

/** Reports that could not be written fail the run; its figures are still shown. */
function failedToWrite(
  error: OutputError,
  results: RunResults,
  gated: () => AnalysedRun,
  warn: (line: string) => void,
): AnalysedRun {
  const failures =
    error instanceof ReportsNotWritten ? error.failures : [{ message: error.message }];
  for (const { message } of failures) warn(`bench: ${message}`);
  results.failure ??= `${failures[0]?.message}${failures.length > 1 ? ` (and ${failures.length - 1} more)` : ''}`;
  return gated();
}
