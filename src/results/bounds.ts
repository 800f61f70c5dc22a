import { z } from 'zod';

/** Variant names head table columns and name files (`<name>.hgrm`): no path can hide in one. */
export const variantFileName = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][\w.-]*$/, 'expected a name of letters, digits, ".", "_" or "-"');
