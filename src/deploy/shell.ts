import { signalGroup, spawnGroup, untrackGroup } from '../process/process-group.ts';
import { readLines } from '../process/read-lines.ts';
import { within } from '../process/sleep.ts';
import { formatMs } from '../text/format.ts';
import type { OutputLog } from './bounded-log.ts';

export interface ShellRun {
  command: string;
  cwd: string;
  /** The environment it runs with, whose variables the shell expands in `command`. */
  env: NodeJS.ProcessEnv;
  /** The trial's clock, to stamp each line. */
  now: () => number;
  log: OutputLog;
  source?: string;
  signal: AbortSignal;
  /** Past this, the command's group is killed and the command counts as failed. */
  timeoutMs?: number;
  onLine?: (line: string) => void;
}

export interface ShellExit {
  exitCode?: number;
  signal?: string;
  /** It ran past `timeoutMs`. */
  timedOutAfterMs?: number;
  /** It could not be started at all (e.g. the folder to run it in does not exist). */
  startError?: string;
  lastLine?: string;
}

/**
 * Output still in the pipe when the command exits is read until the pipe has been quiet this long
 * (or closes), and no longer than the most: a background child that inherited the pipe keeps it
 * open for as long as it lives, and the deploy's end is stamped after this.
 */
const QUIET_AFTER_EXIT_MS = 5;
const MOST_DRAIN_AFTER_EXIT_MS = 50;

/**
 * Runs a shell command in a process group of its own and keeps its output, stamped and bounded. It is
 * over when the shell exits — not when its output pipes close, which a background child (`./start.sh &`)
 * holds open. After a success, what the command left running is the user's (often the new release) and
 * is left alone; after a failure, a timeout or an abort its whole group is killed. Never rejects: the
 * caller decides what an exit means.
 */
export async function runShell(run: ShellRun): Promise<ShellExit> {
  if (run.signal.aborted) return { startError: 'the run was interrupted first' };
  const child = spawnGroup(run.command, { cwd: run.cwd, env: run.env });
  const pid = child.pid;
  const output = run.log.command(run.source);
  let lastLine: string | undefined;
  const readers = (['stdout', 'stderr'] as const).map((stream) =>
    readLines(child[stream], (line, cut) => {
      output.push(
        { t: run.now(), stream, line, ...(run.source ? { source: run.source } : {}) },
        cut,
      );
      lastLine = line;
      run.onLine?.(line);
    }),
  );

  let timedOut = false;
  const kill = () => pid !== undefined && signalGroup(pid, 'SIGKILL');
  run.signal.addEventListener('abort', kill, { once: true });
  const timer =
    run.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          kill();
        }, run.timeoutMs);
  try {
    const exit = await new Promise<ShellExit>((resolve) => {
      child.once('error', (error) => resolve({ startError: error.message }));
      child.once('exit', (code, signal) =>
        resolve({
          ...(code !== null ? { exitCode: code } : {}),
          ...(signal ? { signal } : {}),
        }),
      );
    });
    clearTimeout(timer);
    const failed = exit.exitCode !== 0 || timedOut || run.signal.aborted;
    if (failed) kill();
    // A success is final: an interruption from now on does not reach what it left running.
    else run.signal.removeEventListener('abort', kill);
    // What the command printed before it exited is still read, until the pipes close or go quiet;
    // what a background child prints later is not kept.
    const drainUntil = performance.now() + MOST_DRAIN_AFTER_EXIT_MS;
    const allEnded = Promise.all(readers.map((r) => r.ended)).then(() => true);
    while (performance.now() < drainUntil) {
      const seen = readers.reduce((n, r) => n + r.chunks(), 0);
      const ended = await within(allEnded, QUIET_AFTER_EXIT_MS, false);
      if (ended || readers.reduce((n, r) => n + r.chunks(), 0) === seen) break;
    }
    for (const reader of readers) reader.detach();
    return {
      ...exit,
      ...(timedOut ? { timedOutAfterMs: run.timeoutMs } : {}),
      ...(lastLine !== undefined ? { lastLine } : {}),
    };
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener('abort', kill);
    // Killed above when it failed; otherwise what it left in the background is no longer ours to stop.
    if (pid !== undefined) untrackGroup(pid);
  }
}

/** "exited with code 7; last output: push rejected" */
export function describeFailure(result: ShellExit): string {
  const how = result.startError
    ? `could not be started: ${result.startError}`
    : result.timedOutAfterMs !== undefined
      ? `did not finish within ${formatMs(result.timedOutAfterMs)} and was killed`
      : result.signal
        ? `was killed by ${result.signal}`
        : `exited with code ${result.exitCode}`;
  return `${how}${result.lastLine ? `; last output: ${result.lastLine}` : ''}`;
}
