import { z } from 'zod';

const measured = z.number().nullable();

/** The place as results.json keeps it: bounded, since a saved run is read back from a file. */
export const historyPlaceSchema = z.object({
  folder: z.string().max(4096),
  runs: z.int().min(0).max(1_000_000),
  otherConditions: z.int().min(0).max(1_000_000).optional(),
  refused: z
    .array(z.object({ file: z.string().max(4096), reason: z.string().max(4096) }))
    .max(10_000),
  figures: z
    .array(
      z.object({
        variant: z.string().max(200),
        figure: z.string().max(300),
        unit: z.enum(['ms', 'percent', 'count']),
        lowerIsWorse: z.boolean().optional(),
        failedNotCounted: z.int().min(0).max(1_000_000).optional(),
        past: z
          .array(
            z.object({
              startedAt: z.string().max(64),
              value: measured,
              commit: z.string().max(64).optional(),
            }),
          )
          .max(10_000),
        value: measured,
        budget: measured.optional(),
      }),
    )
    .max(1000),
});
