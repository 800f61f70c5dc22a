import type { z } from 'zod';
import type { AnalysedRun } from '../analysis/analyse.ts';
import { gatesPassed } from '../gates/evaluate.ts';
import { encodeRecording } from '../results/codec.ts';
import { RESULTS_SCHEMA_VERSION, type resultsDocumentSchema } from '../results/results-document.ts';
import { jsonText } from '../text/escape.ts';
import type { Exporter } from './exporter.ts';

/** results.json: the whole run, analysed, with histograms to re-render or compare it later. */
export const jsonExporter: Exporter<'json'> = {
  name: 'json',
  files: /^results\.json$/,
  render: (run) => [{ name: 'results.json', content: renderResultsJson(run) }],
};

/** The document, written the same way after each trial (run/measure.ts) and at the end. */
export function renderResultsJson(run: AnalysedRun): string {
  const { results, outcome } = run;
  const document = {
    schemaVersion: RESULTS_SCHEMA_VERSION as typeof RESULTS_SCHEMA_VERSION,
    tool: results.tool,
    startedAt: results.startedAt,
    finishedAt: results.finishedAt ?? null,
    machine: results.machine,
    /** How the run ended: completed, failed (exit 3) or interrupted (exit 130). */
    outcome: outcome.kind,
    interrupted: results.interrupted,
    ...(results.load ? { load: results.load } : {}),
    /** Why the run failed: it stopped early, or a deploy failed. */
    failure: outcome.kind === 'failed' ? outcome.reason : (results.failure ?? null),
    /** null for a run that was not sharded. */
    shard: results.shard ?? null,
    /** null when no gate was set, or the run did not complete (its gates are not evaluated). */
    passed: gatesPassed(run.gates),
    gates: run.gates,
    ...(run.history ? { history: run.history } : {}),
    scenarioFile: results.scenarioFile,
    ...(results.overrides ? { overrides: results.overrides } : {}),
    scenario: results.scenario,
    comparison: run.comparison,
    variants: run.variants.map(({ results: variant, summary, findings, trials }) => ({
      name: variant.name,
      description: variant.description ?? null,
      strategy: variant.strategy ?? null,
      command: variant.command ?? null,
      hookLog: variant.hookLog,
      summary,
      findings,
      trials: trials.map(({ result: trial, metrics, instances, findings }) => ({
        trial: trial.trial,
        status: trial.status,
        failure: trial.failure ?? null,
        startedAt: trial.startedAt,
        ...metrics,
        timeline: trial.recording.timeline,
        instances,
        findings,
        longest: trial.recording.longest,
        longestUserWait: trial.recording.longestUserWait ?? null,
        disruptionSpans: trial.recording.disruption.spans,
        deployLog: trial.deployLog,
        generator: trial.generator ?? null,
        recording: encodeRecording(trial.recording),
        ...(trial.baseline ? { baseline: trial.baseline } : {}),
      })),
    })),
  };
  // NaN (a figure with no data behind it) is written as null, as JSON.stringify writes it.
  return `${jsonText(readableBack(document), 2)}\n`;
}

/** The document as the reader's schema takes it: a field written differently fails to compile. */
function readableBack(
  document: z.input<typeof resultsDocumentSchema>,
): z.input<typeof resultsDocumentSchema> {
  return document;
}
