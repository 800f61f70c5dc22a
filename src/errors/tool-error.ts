/** The exit codes `bench` documents (README, docs/results-format.md). */
export const EXIT = {
  ok: 0,
  /** The run went fine and a gate failed: the deploy hurts users more than allowed. */
  gateFailed: 1,
  badInput: 2,
  runFailed: 3,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure the tool foresees and explains in words: the lines an operator reads, and the exit code
 * the command ends with. Any other error is one the tool did not foresee: exit 3 with its message.
 */
export abstract class ToolError extends Error {
  abstract readonly exitCode: ExitCode;

  /** What the operator reads, without the final line break. */
  explain(): string {
    return `bench: ${this.message}`;
  }
}
