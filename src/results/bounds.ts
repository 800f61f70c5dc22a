import { z } from 'zod';

/** Variant names head table columns and name files (`<name>.hgrm`): no path can hide in one. */
export const variantFileName = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][\w.-]*$/, 'expected a name of letters, digits, ".", "_" or "-"');

/** Intervals a trial may record: each holds a histogram, so this bounds a trial's memory. */
export const MAX_INTERVALS_PER_TRIAL = 100_000;
