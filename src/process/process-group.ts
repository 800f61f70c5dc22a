/**
 * Every child the tool starts leads its own process group (spawned detached), so that a signal to the
 * group reaches the grandchildren a shell or an npm script starts too. The registry lets an exit path
 * that cannot wait (a second Ctrl-C, an uncaught error) still kill them all synchronously.
 */
const liveGroups = new Set<number>();

export function trackGroup(pid: number): void {
  liveGroups.add(pid);
}

export function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
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
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

process.on('exit', killAllGroups);
