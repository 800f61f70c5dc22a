import type { z } from 'zod';
import { EXIT, ToolError } from '../errors/tool-error.ts';
import { readBounded, UnreadableFile } from '../files/read-bounded.ts';
import { fieldName, inOurWords } from '../text/wording.ts';
import { decodeRecording } from './codec.ts';
import type { historyPlaceSchema } from './history-place.ts';
import { RESULTS_SCHEMA_VERSION, resultsDocumentSchema } from './results-document.ts';
import type { HistoryPlace, SavedRun, TrialResult } from './run.ts';

/** A file that is not a results.json this version can read: bad input (exit 2). */
export class ResultsFileError extends ToolError {
  override name = 'ResultsFileError';
  readonly exitCode = EXIT.badInput;

  override explain(): string {
    return this.message;
  }
}

/**
 * A one-hour run of two variants is 6.4 MB (docs/performance.md): this is twenty of them, and keeps
 * a file that is not one (a disk image, procfs) from taking gigabytes before it is refused.
 */
export const MAX_RESULTS_BYTES = 128 * 1024 * 1024;

/**
 * Reads a saved run back, histograms decoded: what it measured, and the gates it was judged by. The file is
 * foreign input — it may be truncated, edited or made to harm — so every field is checked before any
 * report uses it, and the first problem is named with its place in the file.
 */
export async function readResults(file: string): Promise<SavedRun> {
  const notOurs = (reason: string): never => {
    throw new ResultsFileError(`${file}: not a deploy-bench results.json: ${reason}`);
  };
  let json: unknown;
  try {
    json = JSON.parse((await readBounded(file, MAX_RESULTS_BYTES)).toString('utf8'));
  } catch (error) {
    if (error instanceof UnreadableFile && error.message.startsWith('not a regular file'))
      return notOurs(error.message);
    if (!(error instanceof UnreadableFile || error instanceof SyntaxError)) throw error;
    const reason = error instanceof SyntaxError ? `not JSON (${error.message})` : error.message;
    throw new ResultsFileError(`${file}: cannot read the results: ${reason}`);
  }
  const version =
    json !== null && typeof json === 'object' && 'schemaVersion' in json
      ? json.schemaVersion
      : undefined;
  if (typeof version === 'number' && version > RESULTS_SCHEMA_VERSION) {
    throw new ResultsFileError(
      `${file}: written by a newer deploy-bench (results schema version ${version}); this one reads version ${RESULTS_SCHEMA_VERSION}: upgrade deploy-bench to read it`,
    );
  }
  const checked = resultsDocumentSchema.safeParse(json, { error: inOurWords });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    // A field that is not there is said to be missing, as the scenario loader says it.
    const keys = issue?.path ?? [];
    const missing = keys.length > 0 && valueAt(json, keys) === undefined;
    const message = missing ? `missing (${issue?.message})` : issue?.message;
    return notOurs(`${fieldName(keys) || 'the top level'}: ${message}`);
  }
  // Read from the file as written, not from the checked copy, whose objects list their fields in
  // the schema's order: a re-render must be byte for byte the same.
  const results = json as z.input<typeof resultsDocumentSchema>;
  // A value with nothing measured behind it was written as null.
  const gates = results.gates.map((g) => ({
    // Spread whole, so that `budget` keeps its place among the fields when it is replaced below.
    ...(g as Omit<typeof g, 'budget'>),
    evaluated: g.evaluated ?? true,
    actual: g.actual ?? Number.NaN,
    threshold: g.threshold ?? Number.NaN,
    ...(g.budget ? { budget: { ...g.budget, statistic: g.budget.statistic ?? Number.NaN } } : {}),
  }));
  const measured = {
    tool: results.tool,
    startedAt: results.startedAt,
    ...(results.finishedAt ? { finishedAt: results.finishedAt } : {}),
    machine: results.machine,
    scenarioFile: results.scenarioFile,
    ...(results.overrides ? { overrides: results.overrides } : {}),
    // Checked for what the reports read of it (its name and description); kept whole for the rest.
    scenario: results.scenario,
    interrupted: results.interrupted,
    ...(results.failure ? { failure: results.failure } : {}),
    ...(results.shard ? { shard: results.shard } : {}),
    ...(results.load ? { load: results.load } : {}),
    variants: results.variants.map((variant, v) => ({
      name: variant.name,
      ...(variant.description ? { description: variant.description } : {}),
      ...(variant.strategy ? { strategy: variant.strategy } : {}),
      ...(variant.command ? { command: variant.command } : {}),
      hookLog: variant.hookLog ?? [],
      trials: variant.trials.map(
        (trial, t): TrialResult => ({
          trial: trial.trial,
          status: trial.status,
          ...(trial.failure ? { failure: trial.failure } : {}),
          startedAt: trial.startedAt,
          recording: decodeOrSay(trial.recording, () =>
            notOurs(`variants[${v}].trials[${t}].recording: a histogram cannot be decoded`),
          ),
          deployLog: trial.deployLog,
          ...(trial.generator ? { generator: trial.generator } : {}),
          ...(trial.baseline ? { baseline: trial.baseline } : {}),
        }),
      ),
    })),
  };
  return {
    results: measured,
    gates,
    ...(results.history ? { history: placeOf(results.history) } : {}),
  };
}

/** A saved place, its nulls (nothing measured) read back as NaN. */
function placeOf(saved: z.input<typeof historyPlaceSchema>): HistoryPlace {
  const number = (value: number | null) => value ?? Number.NaN;
  return {
    ...saved,
    figures: saved.figures.map(({ budget, ...figure }) => ({
      ...figure,
      past: figure.past.map((p) => ({ ...p, value: number(p.value) })),
      value: number(figure.value),
      ...(budget === undefined ? {} : { budget: number(budget) }),
    })),
  };
}

function decodeOrSay(
  recording: Parameters<typeof decodeRecording>[0],
  fail: () => never,
): ReturnType<typeof decodeRecording> {
  try {
    return decodeRecording(recording);
  } catch {
    return fail();
  }
}

function valueAt(value: unknown, keys: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key))
      return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
