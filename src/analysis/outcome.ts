import { EXIT, type ExitCode } from '../errors/tool-error.ts';
import type { GateResult, RunResults } from '../results/run.ts';

/**
 * How a run ended, in the order of its exit codes: interrupted (130), failed (3), completed. Every
 * output and the exit code read it from here, so that they cannot disagree.
 */
export type RunOutcome =
  | { kind: 'completed' }
  | { kind: 'interrupted' }
  /** The run stopped early (`report.failure`) or a deploy failed: exit 3. */
  | { kind: 'failed'; reason: string };

export function runOutcome(
  results: Pick<RunResults, 'interrupted' | 'failure' | 'variants'>,
): RunOutcome {
  if (results.interrupted) return { kind: 'interrupted' };
  if (results.failure) return { kind: 'failed', reason: results.failure };
  for (const variant of results.variants) {
    const failed = variant.trials.find((t) => t.status === 'failed');
    if (failed) {
      return {
        kind: 'failed',
        reason: `${variant.name}, trial ${failed.trial}: the deploy failed: ${failed.failure ?? 'no reason given'}`,
      };
    }
  }
  return { kind: 'completed' };
}

/** The line that says a run did not complete, for the end of the terminal and the top of reports. */
export function outcomeLine(outcome: RunOutcome): string | undefined {
  if (outcome.kind === 'failed') return `The run failed: ${outcome.reason}`;
  if (outcome.kind === 'interrupted')
    return 'The run was interrupted: these figures cover what was measured until then.';
  return undefined;
}

/**
 * The exit code of a run, for `bench run`, `bench watch` and library callers alike: 130 interrupted,
 * 3 failed, 1 when a gate failed, 0 otherwise. A gate not judged (a budget from a history too
 * short) fails nothing: every report shows it as not evaluated.
 */
export function exitCodeOf(run: { outcome: RunOutcome; gates: readonly GateResult[] }): ExitCode {
  if (run.outcome.kind === 'interrupted') return EXIT.interrupted;
  if (run.outcome.kind === 'failed') return EXIT.runFailed;
  return run.gates.some((gate) => gate.evaluated && !gate.passed) ? EXIT.gateFailed : EXIT.ok;
}
