import { HookError } from '../deploy/hooks.ts';
import type { TrialResult } from '../results/run.ts';
import { TargetError } from './target.ts';

/** A shard got ready after the shared start time: its load would not line up with the others'. */
export class ShardLateError extends Error {
  override name = 'ShardLateError';
}

/** Ended while the target was starting or before the load began: nothing to keep. */
export class InterruptedBeforeLoad extends Error {
  override name = 'InterruptedBeforeLoad';
}

/**
 * What became of a trial, as a value:
 * - measured: whatever its deploy did (completed, failed, interrupted);
 * - stopped: the run cannot go on (the target did not come up, a shard was late, a hook failed),
 *   with what was measured before the stop, if anything;
 * - ended before its load started (Ctrl-C while the target came up): nothing to keep.
 */
export type TrialOutcome =
  | { kind: 'measured'; result: TrialResult }
  | { kind: 'stopped'; reason: string; measured?: TrialResult }
  | { kind: 'ended-before-load' };

/**
 * The outcome of a trial's work, the foreseen ways it stops the run included. Anything else is a
 * bug, and is thrown.
 */
export async function outcomeOf(work: () => Promise<TrialOutcome>): Promise<TrialOutcome> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InterruptedBeforeLoad) return { kind: 'ended-before-load' };
    if (
      error instanceof TargetError ||
      error instanceof ShardLateError ||
      error instanceof HookError
    )
      return { kind: 'stopped', reason: error.message };
    throw error;
  }
}
