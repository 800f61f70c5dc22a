import type { AnalysedRun } from '../analysis/analyse.ts';

/** A file the run could not write, and why; no `format` when the out folder itself failed. */
export interface OutputFailure {
  format?: string;
  message: string;
}

/**
 * Where a run's files go: export/run-folder.ts writes them into the out folder. Handed in, so that
 * run/ measures and decides what a failure means, and never touches a file itself.
 */
export interface RunOutput {
  /**
   * results.json as the run stands, after every trial, rendered at once (the measurement goes on
   * changing what `run` holds): resolves to why it could not be written (a full disk), when it
   * could not.
   */
  checkpoint(run: AnalysedRun): Promise<string | undefined>;
  /**
   * Every report asked for, results.json first; or only results.json, when it was asked for. `run`
   * is read again before each one: an abort while they are written still shows. Resolves to the
   * files not written.
   */
  write(run: () => AnalysedRun, which: 'reports' | 'results.json'): Promise<OutputFailure[]>;
}
