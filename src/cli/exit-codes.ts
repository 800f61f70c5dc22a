/** The exit codes `bench` documents (README, docs/results-format.md). */
export const EXIT = {
  ok: 0,
  /** The run went fine and a gate failed: the deploy hurts users more than allowed. */
  gateFailed: 1,
  badInput: 2,
  runFailed: 3,
  interrupted: 130,
} as const;
