import { z } from 'zod';
import { variantFileName } from './bounds.ts';
import { historyPlaceSchema } from './history-place.ts';
import { encodedRecordingSchema } from './recording-schema.ts';

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
  // Written since the reports state the load; absent before.
  load: z
    .intersection(
      z.discriminatedUnion('model', [
        z.object({ model: z.literal('closed'), users: z.number().int().min(1) }),
        z.object({ model: z.literal('open'), ratePerSecond: z.number().positive() }),
      ]),
      z.object({
        workers: z.number().int().min(1),
        keepAlive: z.boolean(),
        // Absent in files written before the probe.
        probePerSecond: z.number().nonnegative().optional(),
        endpoints: z.number().int().min(1),
      }),
    )
    .optional(),
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
      budget: z
        .object({
          runs: z.int().min(0).max(1_000_000),
          needed: z.int().min(0).max(1_000_000),
          statistic: measured,
        })
        .optional(),
      passed: z.boolean(),
      problem: z.string().optional(),
    }),
  ),
  // Written by runs with --history only.
  history: historyPlaceSchema.optional(),
  scenarioFile: z.string(),
  // Written by runs with --set or a shorthand only.
  overrides: z.array(z.string()).max(1000).optional(),
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
            baseline: z
              .object({
                ms: z.number().nonnegative(),
                requests: z.number().int().nonnegative(),
                failures: z.number().int().nonnegative(),
                releases: z.array(z.string()).max(1000),
                p99Ms: z.number().nullable(),
                slowThresholdMs: z.number().positive(),
                slowestMs: z.number().nonnegative().optional(),
                carried: z
                  .object({
                    count: z.number().int().nonnegative(),
                    oldestMs: z.number().nonnegative(),
                  })
                  .optional(),
              })
              .optional(),
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
