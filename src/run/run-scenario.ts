import {
  type AnalysedRun,
  analyse,
  type GateJudge,
  type HistoryPlacer,
} from '../analysis/analyse.ts';
import { type GateHistory, judgeBy } from '../gates/evaluate.ts';
import type { Gate } from '../gates/parse.ts';
import type { RunResults } from '../results/run.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { type MeasureOptions, measureScenario } from './measure.ts';
import { guarded, type RunObserver } from './observer.ts';
import type { RunOutput } from './output.ts';

export interface RunOptions extends Omit<MeasureOptions, 'checkpoint'> {
  /** Where results.json (after every trial) and the reports go: export/run-folder.ts. */
  output: RunOutput;
  /** The gates to judge the run by once every trial ran: the scenario's and any added. */
  gates: readonly Gate[];
  /** `--history`: the past runs its history gates read, and how it places the run among them. */
  history?: { past: GateHistory; place: HistoryPlacer };
  /** A problem that does not stop the run: a format this machine cannot write, a file not written. */
  warn?: (line: string) => void;
}

/**
 * The one way a run goes, for the CLI and the library alike: measure every variant × trial, analyse
 * and judge it once, write every report. A report that cannot be written makes the run failed (its
 * figures are still returned); an abort while the reports are written finishes them, saying the run
 * was interrupted. What was measured is never changed: either is a new `RunResults`.
 */
export async function runLoadedScenario(
  loaded: LoadedScenario,
  options: RunOptions,
): Promise<AnalysedRun> {
  const { output, signal } = options;
  const warn = options.warn ?? (() => {});
  const observer = guarded(options.observer ?? {}, (error) =>
    warn(`an observer of the run failed: ${(error as Error).message ?? error}`),
  );
  const results = await measureScenario(loaded, {
    ...options,
    observer,
    checkpoint: (sofar) => output.checkpoint(analyse(sofar)),
  });
  return writeRun(results, judgeBy(options.gates, options.history?.past), {
    output,
    observer,
    signal,
    warn,
    ...(options.history ? { place: options.history.place } : {}),
  });
}

/**
 * Judges and writes a measured run (only results.json when no trial was recorded: a page of no
 * figures says nothing). An abort while the reports are written finishes them saying the
 * run was interrupted; a report not written makes the run failed. Either is a new `RunResults`,
 * analysed again, and results.json, when it went out before and was asked for, is written again so
 * that it says what the exit code says.
 */
export async function writeRun(
  measured: RunResults,
  judge: GateJudge,
  context: {
    output: RunOutput;
    observer: Pick<RunObserver, 'writingReports'>;
    signal: AbortSignal;
    warn: (line: string) => void;
    place?: HistoryPlacer;
  },
): Promise<AnalysedRun> {
  const { output, signal, warn, place } = context;
  let results = measured;
  let run = analyse(results, judge, place);
  const reanalyse = (changed: RunResults) => {
    results = changed;
    run = analyse(results, judge, place);
  };
  context.observer.writingReports?.();
  let interruptedWhileWriting = false;
  // With no trial recorded there is no figure to show: results.json says what happened, alone.
  const recorded = measured.variants.some((variant) => variant.trials.length > 0);
  const failures = await output.write(
    () => {
      // An abort while the reports are written: they are finished (it takes a second) and say so.
      if (signal.aborted && !results.interrupted) {
        interruptedWhileWriting = true;
        reanalyse({ ...results, interrupted: true });
      }
      return run;
    },
    recorded ? 'reports' : 'results.json',
  );
  for (const { message } of failures) warn(`bench: ${message}`);
  const [first] = failures;
  if (first) {
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
    reanalyse({ ...results, failure: results.failure ?? `${first.message}${more}` });
  }
  // A results.json that could not be written is not tried again: it would fail again.
  const resultsWritten = failures.every((f) => f.format !== undefined && f.format !== 'json');
  if ((interruptedWhileWriting || first) && resultsWritten) {
    for (const { message } of await output.write(() => run, 'results.json'))
      warn(`bench: ${message}`);
  }
  return run;
}
