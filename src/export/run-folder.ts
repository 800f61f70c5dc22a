import type { AnalysedRun } from '../analysis/analyse.ts';
import type { Environment } from '../scenario/load.ts';
import type { ExportName } from './registry.ts';
import { renderResultsJson } from './results-json.ts';
import { makeFolder, OutputError, writeFileAtomic } from './write-file.ts';
import { ReportsNotWritten, writeReports } from './write-reports.ts';

/**
 * A run's out folder: results.json after every trial, the chosen formats at the end (run/output.ts
 * says what a run asks of it). A format this machine cannot produce is skipped with `warn`.
 */
export function runFolder(
  dir: string,
  formats: readonly ExportName[],
  warn: (line: string) => void,
  env: Environment,
) {
  return {
    open: () => makeFolder(dir),
    async checkpoint(run: AnalysedRun): Promise<string | undefined> {
      try {
        await writeFileAtomic(dir, 'results.json', renderResultsJson(run));
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
        await writeReports(run, dir, chosen, warn, env);
        return [];
      } catch (error) {
        if (error instanceof ReportsNotWritten) return [...error.failures];
        if (error instanceof OutputError) return [{ message: error.message }];
        throw error;
      }
    },
  };
}
