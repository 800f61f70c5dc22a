import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RESULTS_SCHEMA_VERSION } from '../export/results-json.ts';
import { decodeRecording, type EncodedRecording } from '../record/codec.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { TrialResult } from '../trial/run-trial.ts';
import type { RunReport } from './run-report.ts';

/** A file that is not a results.json this version can read: bad input. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

const logLine = z.object({
  t: z.number(),
  stream: z.enum(['stdout', 'stderr']),
  line: z.string(),
  source: z.string().optional(),
  omitted: z
    .object({
      lines: z.number(),
      characters: z.number(),
      cutLines: z.number().optional(),
      cutCharacters: z.number().optional(),
    })
    .optional(),
});

// The outer shape is checked; the recordings inside are what this tool wrote, decoded as they are.
const resultsSchema = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  machine: z.object({
    hostname: z.string(),
    platform: z.string(),
    cpus: z.number(),
    node: z.string(),
  }),
  interrupted: z.boolean(),
  failure: z.string().nullable(),
  shard: z
    .object({
      count: z.number(),
      startAt: z.string(),
      shards: z.array(
        z.object({ index: z.number(), deploys: z.boolean(), clockOffsetMs: z.number().nullable() }),
      ),
    })
    .nullable()
    .default(null),
  // In the order evaluateGates writes the fields, so that a re-render is identical.
  gates: z.array(
    z.object({
      expression: z.string(),
      source: z.string(),
      variant: z.string(),
      // Written before gates could be withheld: every gate was evaluated then.
      evaluated: z.boolean().default(true),
      actual: z.number().nullable(),
      threshold: z.number().nullable(),
      unit: z.enum(['ms', 'percent', 'count']),
      comparator: z.enum(['<', '<=', '>', '>=', '==', '!=']),
      basis: z.string(),
      passed: z.boolean(),
      problem: z.string().optional(),
    }),
  ),
  scenarioFile: z.string(),
  scenario: z.record(z.string(), z.unknown()),
  variants: z.array(
    z.object({
      name: z.string(),
      description: z.string().nullable(),
      strategy: z.string().nullable(),
      command: z.string().nullable(),
      hookLog: z.array(logLine).default([]),
      trials: z.array(
        z.object({
          trial: z.number(),
          status: z.enum(['completed', 'failed', 'interrupted']),
          failure: z.string().nullable(),
          startedAt: z.string(),
          deployLog: z.array(logLine),
          generator: z
            .object({ cpuPercent: z.number(), eventLoopUtilization: z.number() })
            .nullable()
            .default(null),
          // Taken as it is (a rebuilt object would reorder its keys, and a re-render must be identical).
          recording: z.custom<EncodedRecording>(
            (value) =>
              typeof value === 'object' &&
              value !== null &&
              'intervals' in value &&
              'timeline' in value,
            'expected a recording with intervals and a timeline',
          ),
        }),
      ),
    }),
  ),
});

/** Reads a saved run back into the report the exporters render, histograms decoded. */
export async function readResults(file: string): Promise<RunReport> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (error as Error).message;
    throw new ResultsFileError(`${file}: cannot read the results: ${reason}`);
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(top level)';
    throw new ResultsFileError(
      `${file}: not a deploy-bench results.json of schema version ${RESULTS_SCHEMA_VERSION}: ${where}: ${issue?.message}`,
    );
  }
  const results = parsed.data;
  return {
    tool: results.tool,
    startedAt: results.startedAt,
    ...(results.finishedAt ? { finishedAt: results.finishedAt } : {}),
    machine: results.machine,
    scenarioFile: results.scenarioFile,
    scenario: results.scenario as Scenario,
    interrupted: results.interrupted,
    ...(results.failure ? { failure: results.failure } : {}),
    ...(results.shard ? { shard: results.shard } : {}),
    // A value with nothing measured behind it was written as null.
    gates: results.gates.map((g) => ({
      ...g,
      actual: g.actual ?? Number.NaN,
      threshold: g.threshold ?? Number.NaN,
    })),
    variants: results.variants.map((variant) => ({
      name: variant.name,
      ...(variant.description ? { description: variant.description } : {}),
      ...(variant.strategy ? { strategy: variant.strategy } : {}),
      ...(variant.command ? { command: variant.command } : {}),
      hookLog: variant.hookLog,
      trials: variant.trials.map(
        (trial): TrialResult => ({
          trial: trial.trial,
          status: trial.status,
          ...(trial.failure ? { failure: trial.failure } : {}),
          startedAt: trial.startedAt,
          recording: decodeRecording(trial.recording),
          deployLog: trial.deployLog,
          ...(trial.generator ? { generator: trial.generator } : {}),
        }),
      ),
    })),
  };
}
