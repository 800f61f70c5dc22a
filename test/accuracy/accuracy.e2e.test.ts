import { describe, expect, it } from 'vitest';
import { ACCURACY_CASES, holds } from '../../bench/accuracy-cases.ts';

describe('accuracy against ground truth', () => {
  for (const accuracyCase of ACCURACY_CASES) {
    it(accuracyCase.name, async () => {
      // Checks of a precision only an idle machine gives are for `npm run bench:accuracy`.
      for (const check of (await accuracyCase.run()).filter((c) => !c.idleMachineOnly)) {
        expect(
          holds(check),
          `${check.name}: measured ${check.measured}, expected ${check.atLeast ? 'at least ' : ''}${check.expected} ± ${check.tolerance}`,
        ).toBe(true);
      }
    });
  }
});
