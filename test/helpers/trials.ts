import type { TrialResult } from '../../src/results/run.ts';
import type { TrialOutcome } from '../../src/trial/outcome.ts';

/** The trial an outcome measured; the test fails with the reason when the trial stopped the run. */
export function measuredTrial(outcome: TrialOutcome): TrialResult {
  if (outcome.kind === 'measured') return outcome.result;
  throw new Error(
    `expected a measured trial, got ${outcome.kind}${outcome.kind === 'stopped' ? `: ${outcome.reason}` : ''}`,
  );
}
