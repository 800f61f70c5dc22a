import { z } from 'zod';
import { compareVariants } from '../analysis/compare.ts';
import { trialInstances } from '../analysis/instances.ts';
import { trialMetrics } from '../analysis/trial-metrics.ts';
import { summarizeVariant } from '../analysis/variant-summary.ts';
import { encodedRecordingSchema, encodeRecording } from '../record/codec.ts';
import { runOutcome } from '../run/outcome.ts';
import type { RunReport } from '../run/run-report.ts';
import { variantFileName } from '../scenario/schema.ts';
import { jsonText } from '../text/escape.ts';

/** Bumped whenever a field changes meaning or goes away; docs/results-format.md describes it. */
export const RESULTS_SCHEMA_VERSION = 1;

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

/** A value with nothing measured behind it is written as null: JSON has no NaN. */
const measured = z.number().nullable();

/**
 * The fields of results.json that `bench report`, `compare` and `merge` read back. The writer below
 * must produce this schema's input (`satisfies`), so the two cannot drift; every other field is
 * analysis, derived again from these when a saved run is rendered.
 */
export const resultsDocumentSchema = z.object({
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
      count: z.number().int().min(1).max(1000),
      startAt: z.string(),
      shards: z.array(
        z.object({
          // 1-based, as `--shard 2/4` names it.
          index: z.number().int().min(1),
          deploys: z.boolean(),
          // Shards run within a minute of each other's clocks, or not at all (docs/scale.md).
          clockOffsetMs: z.number().min(-86_400_000).max(86_400_000).nullable(),
        }),
      ),
    })
    .refine((shard) => shard.shards.every((s) => s.index <= shard.count), {
      message: 'expected every shard index within the shard count',
      path: ['shards'],
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
      actual: measured,
      threshold: measured,
      unit: z.enum(['ms', 'percent', 'count']),
      comparator: z.enum(['<', '<=', '>', '>=', '==', '!=']),
      basis: z.string(),
      passed: z.boolean(),
      problem: z.string().optional(),
    }),
  ),
  scenarioFile: z.string(),
  // The reports read only its name and description; the rest is kept as it was written.
  scenario: z.looseObject({ name: z.string(), description: z.string().optional() }),
  variants: z
    .array(
      z.object({
        // Variant names become file names (`<name>.hgrm`): held to the scenario's rule.
        name: variantFileName,
        description: z.string().nullable(),
        strategy: z.string().nullable(),
        command: z.string().nullable(),
        hookLog: z.array(logLine).default([]),
        trials: z.array(
          z.object({
            trial: z.number().int().min(1),
            status: z.enum(['completed', 'failed', 'interrupted']),
            failure: z.string().nullable(),
            startedAt: z.string(),
            deployLog: z.array(logLine),
            generator: z
              .object({ cpuPercent: z.number(), eventLoopUtilization: z.number() })
              .nullable()
              .default(null),
            recording: encodedRecordingSchema,
          }),
        ),
      }),
    )
    .min(1)
    // Each variant's name names its files: two of one name would write over each other.
    .refine((variants) => new Set(variants.map((v) => v.name)).size === variants.length, {
      message: 'expected each variant name once',
    }),
});

/** results.json: the whole run, analysed, with histograms to re-render or compare it later. */
export function renderResultsJson(report: RunReport): string {
  const variants = report.variants.map((variant) => ({
    variant,
    summary: summarizeVariant(variant.trials),
  }));
  const outcome = runOutcome(report);
  const document = {
    schemaVersion: RESULTS_SCHEMA_VERSION as typeof RESULTS_SCHEMA_VERSION,
    tool: report.tool,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt ?? null,
    machine: report.machine,
    /** How the run ended: completed, failed (exit 3) or interrupted (exit 130). */
    outcome: outcome.kind,
    interrupted: report.interrupted,
    /** Why the run failed: it stopped early, or a deploy failed. */
    failure: outcome.kind === 'failed' ? outcome.reason : (report.failure ?? null),
    /** null for a run that was not sharded. */
    shard: report.shard ?? null,
    /** null when no gate was set, or the run did not complete (its gates are not evaluated). */
    passed:
      report.gates.length > 0 && report.gates.every((g) => g.evaluated)
        ? report.gates.every((g) => g.passed)
        : null,
    gates: report.gates,
    scenarioFile: report.scenarioFile,
    scenario: report.scenario,
    comparison: compareVariants(
      variants.map(({ variant, summary }) => ({ name: variant.name, summary })),
      outcome,
    ),
    variants: variants.map(({ variant, summary }) => ({
      name: variant.name,
      description: variant.description ?? null,
      strategy: variant.strategy ?? null,
      command: variant.command ?? null,
      hookLog: variant.hookLog,
      summary,
      trials: variant.trials.map((trial) => ({
        trial: trial.trial,
        status: trial.status,
        failure: trial.failure ?? null,
        startedAt: trial.startedAt,
        ...trialMetrics(trial.recording),
        timeline: trial.recording.timeline,
        instances: trialInstances(trial.recording),
        longest: trial.recording.longest,
        longestUserWait: trial.recording.longestUserWait ?? null,
        disruptionSpans: trial.recording.disruption.spans,
        deployLog: trial.deployLog,
        generator: trial.generator ?? null,
        recording: encodeRecording(trial.recording),
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
