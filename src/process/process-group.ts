import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * Every child the tool starts leads its own process group (spawned detached), so that a signal to the
 * group reaches the grandchildren a shell or an npm script starts too.
 *
 * Each group has a watchdog inside it, started before the command by the group's first shell: a
 * subshell that reads a pipe (fd 3) only this process holds open. However this process ends — exit,
 * crash, out of memory, SIGKILL, a closed terminal — the kernel closes the pipe, the read returns at
 * its end, and the watchdog ends its group: SIGTERM, then SIGKILL 2 s later (itself included).
 * Started by the group's own shell, it exists before the command does: there is no moment at which
 * the command runs unwatched. (Linux's PR_SET_PDEATHSIG is not reachable from Node, and would reach
 * only the direct child; a pipe reaches the whole group on every system with a shell.) A group the
 * tool lets go of on purpose — what a successful deploy left running — gets a line on the pipe, and
 * the watchdog leaves without a signal.
 */
const GROUP_SCRIPT = [
  `(trap '' TERM INT HUP; read _ <&3 && exit 0; kill -s TERM -- "-$$"; sleep 2; kill -s KILL -- "-$$") </dev/null >/dev/null 2>&1 &`,
  'exec 3<&-',
  'exec "$@"',
].join('\n');

/**
 * Spawns `command` (a shell command line, or a program and its arguments) as the leader of a new
 * process group, watched as described above. Its stdout and stderr are pipes (the watchdog's is the
 * fourth); `exit` and `error` are the child's.
 */
export function spawnGroup(
  command: string | readonly string[],
  options: Pick<SpawnOptions, 'cwd' | 'env'>,
): ChildProcess {
  const argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : [...command];
  const child = spawn('/bin/sh', ['-c', GROUP_SCRIPT, 'deploy-bench', ...argv], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const pipe = child.stdio[3] as (Writable & { unref?: () => void }) | null;
  // Neither the pipe nor the child may keep this process alive.
  pipe?.on('error', () => {});
  pipe?.unref?.();
  if (child.pid !== undefined && pipe) watchdogs.set(child.pid, pipe);
  return child;
}

const watchdogs = new Map<number, Writable>();

/** The group is gone, or no longer ours: its watchdog leaves without touching the group. */
export function untrackGroup(pid: number): void {
  const pipe = watchdogs.get(pid);
  if (!pipe) return;
  watchdogs.delete(pid);
  // A line, then the end: `read` succeeds, and the watchdog exits quietly.
  pipe.end('\n');
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Waits until no process of the group is left, at most `ms`: after a SIGKILL the kernel ends and
 * reaps its members a moment later, and "stopped" must mean that nothing of it runs any more.
 * Resolves to whether the group is gone.
 */
export async function groupGone(pid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (groupRuns(pid)) {
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** Whether a member of the group still runs: procfs's answer, else the kernel's. */
function groupRuns(pgid: number): boolean {
  const members = liveGroupMembers(pgid);
  return members === undefined ? signalGroup(pgid, 0) : members.length > 0;
}

/**
 * The group's members that still run, from procfs; undefined where there is no procfs. A zombie
 * does not count: one whose parent is gone waits for an init that may never reap it.
 */
export function liveGroupMembers(pgid: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses: read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') found.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

/**
 * Last resort: SIGKILL every group still watched. Synchronous, so it is safe in an 'exit' handler.
 * With `waitMs`, it then waits, at most that long, until none of their members runs: the kernel
 * ends a killed process a moment after the signal, and a tool that quits must not leave one that
 * a `ps` right after its exit still shows.
 */
export function killAllGroups(waitMs = 0): void {
  const killed = [...watchdogs.keys()];
  for (const pid of killed) {
    signalGroup(pid, 'SIGKILL');
    watchdogs.delete(pid);
  }
  const deadline = performance.now() + waitMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (killed.some(groupRuns) && performance.now() < deadline) Atomics.wait(pause, 0, 0, 5);
}

// Not `killAllGroups` itself: 'exit' passes the exit code, which it would read as a wait.
process.on('exit', () => killAllGroups());
