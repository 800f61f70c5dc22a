import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { processesWithEnv } from './helpers/processes.ts';

/**
 * Tags every process the test run starts (the variable is inherited by the workers, their children
 * and grandchildren), and fails the run if any is still alive once every test has finished.
 */
const MARKER = 'DEPLOY_BENCH_TEST_SUITE';

/** What the end-to-end tests use beyond `npm ci`: scripts/test-prerequisites.sh installs it. */
function missingPrerequisites(): string[] {
  const missing: string[] = [];
  const require = createRequire(import.meta.url);
  for (const name of ['canvas', 'chartjs-node-canvas']) {
    try {
      require(name);
    } catch {
      missing.push(`the ${name} package`);
    }
  }
  if (!existsSync('/usr/bin/chromium')) missing.push('/usr/bin/chromium');
  const onPath = (program: string) =>
    (process.env.PATH ?? '')
      .split(path.delimiter)
      .some((dir) => dir !== '' && existsSync(path.join(dir, program)));
  for (const program of ['nginx', 'script']) if (!onPath(program)) missing.push(program);
  return missing;
}

export function setup(): void {
  const missing = missingPrerequisites();
  // One line instead of a dozen failing tests.
  if (missing.length > 0)
    throw new Error(
      `the tests need ${missing.join(', ')}: run \`npm run test:prerequisites\` first (README, Quick start)`,
    );
  process.env[MARKER] = randomUUID();
  // Tests that start `bench` run the compiled package, as users do: built from the sources under test.
  execFileSync('npm', ['run', '--silent', 'build'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: 'inherit',
  });
}

export async function teardown(): Promise<void> {
  const id = process.env[MARKER] as string;
  const leftovers = () =>
    processesWithEnv(MARKER, id).filter((pid) => {
      if (pid === process.pid) return false;
      try {
        // The test runner's own workers end with it.
        return !readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('vitest');
      } catch {
        return false;
      }
    });
  // Processes told to stop may take a moment to go (nginx's master, a SIGTERMed app).
  const deadline = Date.now() + 3000;
  while (leftovers().length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const left = leftovers();
  if (left.length === 0) return;
  const described = left.map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim()}`;
    } catch {
      return String(pid);
    }
  });
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // vitest reports an error in teardown but keeps its exit code: fail the run explicitly.
  process.exitCode = 1;
  throw new Error(
    `tests left ${left.length} process(es) running (now killed):\n${described.join('\n')}`,
  );
}
