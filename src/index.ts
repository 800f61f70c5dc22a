/**
 * deploy-bench as a library, for people who script benchmarks:
 *
 *   import { runScenario } from 'deploy-bench';
 *   const run = await runScenario('scenarios/preboot.yaml', { outDir: 'out' });
 *   console.log(run.comparison.headline);
 *
 * An ES module compiled to dist/ (docs/decisions/0003-a-compiled-package.md); CommonJS callers
 * `require()` this same module through cjs/index.cjs (Node 20.19 and later).
 */

import type { AnalysedRun } from './analysis/analyse.ts';
import { OutputFolder } from './export/output-folder.ts';
import { EXPORT_NAMES, type ExportName } from './export/registry.ts';
import { runFolder } from './export/run-folder.ts';
import { type Gate, parseGate } from './gates/parse.ts';
import { observeAll, progressLines, type RunObserver } from './run/observer.ts';
import { runLoadedScenario } from './run/run-scenario.ts';
import { type LoadedScenario, loadScenarioFile } from './scenario/load.ts';
import { endpointNames } from './scenario/schema.ts';

export interface RunScenarioOptions {
  /** Folder for results.json and the reports; created when missing. */
  outDir: string;
  /** Abort it to stop the run: what was measured is kept, `interrupted` is set. */
  signal?: AbortSignal;
  /** Trials per variant, instead of the scenario's. */
  trials?: number;
  /** Gates added to the scenario's, e.g. `preboot.longest < 2s`. */
  gates?: string[];
  /** Formats to write (default: all this machine can produce). */
  formats?: ExportName[];
  /** Progress lines (deploy phases), and formats skipped or not written; silent by default. */
  log?: (line: string) => void;
  /** Told of the run's trials, stages, deploy phases and load as they happen. */
  observer?: RunObserver;
}

/**
 * Runs a scenario (a file, or one already loaded) as `bench run` does: every variant × trial, gates
 * evaluated, reports written, the earlier run's reports in `outDir` replaced. Throws ScenarioError
 * for a bad file (its gates included), GateSyntaxError for a bad gate in `options.gates` and
 * OutputError for a folder that cannot be used (or that another run is writing into); returns the analysed run otherwise, failed or
 * not (see `run.outcome`, `run.gates`, `run.comparison`, and `exitCodeOf(run)` for `bench run`'s exit
 * code).
 */
export async function runScenario(
  scenario: string | LoadedScenario,
  options: RunScenarioOptions,
): Promise<AnalysedRun> {
  const loaded = typeof scenario === 'string' ? await loadScenarioFile(scenario) : scenario;
  const variants = loaded.scenario.variants.map((v) => v.name);
  const gates: Gate[] = [
    ...loaded.gates,
    ...(options.gates ?? []).map((g) => parseGate(g, variants, endpointNames(loaded.scenario))),
  ];
  const log = options.log ?? (() => {});
  // The earlier run's reports in the folder are replaced, as `bench run --force` does.
  const folder = await OutputFolder.open(options.outDir, 'replace');
  try {
    return await runLoadedScenario(loaded, {
      output: runFolder(folder, options.formats ?? [...EXPORT_NAMES], log, loaded.env),
      signal: options.signal ?? new AbortController().signal,
      observer: observeAll(progressLines(log), options.observer ?? {}),
      warn: log,
      ...(options.trials !== undefined ? { trials: options.trials } : {}),
      gates,
    });
  } finally {
    folder.close();
  }
}

export {
  type AnalysedRun,
  type AnalysedTrial,
  type AnalysedVariant,
  analyse,
  type GateJudge,
} from './analysis/analyse.ts';
export { findingsOf, type VariantFinding } from './analysis/findings/find.ts';
export type { Finding, FindingId } from './analysis/findings/finding.ts';
export { exitCodeOf, type RunOutcome } from './analysis/outcome.ts';
export { type TrialMetrics, trialMetrics } from './analysis/trial-metrics.ts';
export type { VariantSummary } from './analysis/variant-summary.ts';
export type { Comparison } from './analysis/verdict.ts';
export { compareRuns, type RunComparison } from './compare/compare-runs.ts';
export type { ExportName } from './export/registry.ts';
export { renderTerminal } from './export/terminal.ts';
export { writeReports } from './export/write-reports.ts';
export { evaluateGates, judgeBy } from './gates/evaluate.ts';
export { type Gate, GateSyntaxError, parseGate } from './gates/parse.ts';
export type { DeployEvent, DeployPhase } from './results/deploy-events.ts';
export { readResults } from './results/read-results.ts';
export type {
  GateResult,
  RunResults,
  SavedRun,
  TrialResult,
  VariantResults,
} from './results/run.ts';
export type { RunObserver, RunPlan, TrialRef } from './run/observer.ts';
export { ScenarioError } from './scenario/errors.ts';
export {
  type Environment,
  type LoadedScenario,
  loadScenarioFile,
  parseScenario,
} from './scenario/load.ts';
export type { Scenario } from './scenario/schema.ts';
export type { LiveLoad, Stage, TrialObserver } from './trial/observer.ts';
