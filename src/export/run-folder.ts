import type { AnalysedRun } from '../analysis/analyse.ts';
import type { Environment } from '../scenario/load.ts';
import { OutputError } from './output-error.ts';
import type { OutputFolder } from './output-folder.ts';
import type { ExportName } from './registry.ts';
import { renderResultsJson } from './results-json.ts';
import { ReportsNotWritten, writeReportsInto } from './write-reports.ts';

/**
 * A run's output, in an open folder: results.json after every trial, the chosen formats at the end
 * (run/output.ts says what a run asks of it). A format this machine cannot produce is skipped with
 * `warn`.
 */
export function runFolder(
  folder: OutputFolder,
  formats: readonly ExportName[],
  warn: (line: string) => void,
  env: Environment,
) {
  return {
    async checkpoint(run: AnalysedRun): Promise<string | undefined> {
      try {
        folder.write('results.json', renderResultsJson(run));
        return undefined;
      } catch (error) {
        if (!(error instanceof OutputError)) throw error;
        return error.message;
      }
    },
    async write(
      run: () => AnalysedRun,
      which: 'reports' | 'results.json',
    ): Promise<{ format?: ExportName; message: string }[]> {
      const chosen = which === 'reports' ? formats : formats.filter((f) => f === 'json');
      try {
        await writeReportsInto(folder, run, chosen, warn, env);
        return [];
      } catch (error) {
        if (error instanceof ReportsNotWritten) return [...error.failures];
        if (error instanceof OutputError) return [{ message: error.message }];
        throw error;
      }
    },
  };
}
