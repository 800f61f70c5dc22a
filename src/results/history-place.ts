import { z } from 'zod';
import type { Unit } from './run.ts';

/**
 * Where a run stands among the past runs of its scenario in a `--history` folder (docs/history.md):
 * what every report shows of it, and results.json keeps so that `bench report` shows it again.
 */
export interface HistoryPlace {
  /** The folder, as it was given. */
  folder: string;
  /** Past runs of this scenario read from it; this run not counted. */
  runs: number;
  /** Records refused (corrupt, hostile, not ours): the file and why. */
  refused: { file: string; reason: string }[];
  figures: HistoryFigure[];
}

/** One figure of one variant over the past runs, and this run's. */
export interface HistoryFigure {
  variant: string;
  /** As a gate names it after the variant: `user-wait`, `during.p99`. */
  figure: string;
  unit: Unit;
  /** Each past run's value (its worst trial), oldest first. */
  past: { startedAt: string; value: number; commit?: string }[];
  /** This run's value (its worst trial); NaN when it has none. */
  value: number;
  /** The budget a history gate set on this figure in this run, when one did. */
  budget?: number;
}

const measured = z.number().nullable();

/** The place as results.json keeps it: bounded, since a saved run is read back from a file. */
export const historyPlaceSchema = z.object({
  folder: z.string().max(4096),
  runs: z.int().min(0).max(1_000_000),
  refused: z
    .array(z.object({ file: z.string().max(4096), reason: z.string().max(4096) }))
    .max(10_000),
  figures: z
    .array(
      z.object({
        variant: z.string().max(200),
        figure: z.string().max(300),
        unit: z.enum(['ms', 'percent', 'count']),
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
