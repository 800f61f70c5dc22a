import { defineConfig } from 'vitest/config';

/**
 * Two tiers, both run by `npm test` (docs/decisions/0011-two-tiers-of-tests.md):
 * - logic: pure code and deterministic fakes at the seams, no server and no socket (at most a short
 *   command whose output is read): all in parallel;
 * - e2e (`*.e2e.test.ts`): real processes, real HTTP, real signals, a real browser. They assert on
 *   recorded events and on the truth the test itself recorded, not on a precision only an idle
 *   machine gives, so they hold on a busy one and may run beside each other: a few files at a time,
 *   after the logic.
 */
const E2E = 'test/**/*.e2e.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'logic',
          include: ['test/**/*.test.ts'],
          exclude: [E2E],
          sequence: { groupOrder: 0 },
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: [E2E],
          // Checks the prerequisites, builds dist/ once for the tests that run the compiled CLI,
          // and fails the run when any test left a process running. (Here only: a root-level
          // setup would run again for each project.)
          globalSetup: ['test/global-setup.ts'],
          // Most of an end-to-end test is waiting (boots, warm-ups, cool-downs): twice as many files
          // as cores keep the machine busy without starving any of them for long.
          maxWorkers: 4,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
