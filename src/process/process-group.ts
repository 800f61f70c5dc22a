import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Every child the tool starts leads its own process group (spawned detached), so that a signal to the
 * group reaches the grandchildren a shell or an npm script starts too.
 *
 * Each tracked group has a watchdog: a tiny shell in a session of its own that reads a pipe only this
 * process holds open. However this process ends — exit, crash, out of memory, SIGKILL, a closed
 * terminal — the kernel closes the pipe, the read returns, and the watchdog ends the group: SIGTERM,
 * then SIGKILL 2 s later. (Linux's PR_SET_PDEATHSIG is not reachable from Node, and would reach only
 * the direct child; a pipe reaches the whole group on every system with a shell.) A group the tool
 * lets go of on purpose — what a successful deploy left running — has its watchdog dismissed first.
 */
const WATCHDOG_SCRIPT = [
  'read _',
  'kill -s TERM -- "-$1" 2>/dev/null || exit 0',
  'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 0.1; kill -s 0 -- "-$1" 2>/dev/null || exit 0; done',
  'kill -s KILL -- "-$1" 2>/dev/null',
].join('; ');

const watchdogs = new Map<number, ChildProcess>();

export function trackGroup(pid: number): void {
  if (watchdogs.has(pid)) return;
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'deploy-bench-watchdog', String(pid)], {
    // A session of its own: a terminal's hang-up or Ctrl-C, meant for the tool, does not reach it.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the watchdog nor its pipe may keep this process alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  watchdog.stdin?.on('error', () => {});
  watchdog.on('error', () => {});
  watchdogs.set(pid, watchdog);
}

/** The group is gone, or no longer ours: its watchdog is dismissed without touching the group. */
export function untrackGroup(pid: number): void {
  const watchdog = watchdogs.get(pid);
  if (!watchdog) return;
  watchdogs.delete(pid);
  // Killed before its pipe is closed: a closed pipe is the watchdog's signal to end the group.
  watchdog.kill('SIGKILL');
  watchdog.stdin?.destroy();
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

export function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Last resort: SIGKILL every group still tracked. Synchronous, so it is safe in an 'exit' handler. */
export function killAllGroups(): void {
  for (const pid of [...watchdogs.keys()]) {
    signalGroup(pid, 'SIGKILL');
    untrackGroup(pid);
  }
}

process.on('exit', killAllGroups);
