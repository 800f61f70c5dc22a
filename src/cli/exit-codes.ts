/** The exit codes `bench` documents (README, docs/results-format.md). */
export const EXIT = {
  ok: 0,
  badInput: 2,
  runFailed: 3,
  interrupted: 130,
} as const;
