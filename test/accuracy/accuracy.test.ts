import { describe, expect, it } from 'vitest';
import { ACCURACY_CASES } from '../../bench/accuracy-cases.ts';

describe('accuracy against ground truth', () => {
  for (const accuracyCase of ACCURACY_CASES) {
    it(accuracyCase.name, async () => {
      for (const check of await accuracyCase.run()) {
        const distance = Math.abs(check.measured - check.expected);
        expect(
          distance,
          `${check.name}: measured ${check.measured}, expected ${check.expected} ± ${check.tolerance}`,
        ).toBeLessThanOrEqual(check.tolerance);
      }
    });
  }
});
