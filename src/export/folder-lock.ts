import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { kindOf, OutputError } from './output-error.ts';

/** Held in an output folder for as long as a run writes into it: the writer's PID and start time. */
export const LOCK_FILE = '.deploy-bench.lock';

/**
 * A name a lock is made or taken over under (`.deploy-bench.lock.<pid>`, `….stale.<pid>`) that a
 * process gone left behind; a live process's is its own business.
 */
export function isStaleLockLeftover(name: string): boolean {
  const match = /^\.deploy-bench\.lock\.(?:stale\.)?(\d+)$/.exec(name);
  return match !== null && !isAlive(Number(match[1]));
}

/** The locks this process holds: a second run in it (a library caller) is refused as another's. */
const held = new Set<string>();

/**
 * Takes the folder's lock, or refuses (a bad-input exit) while another live process holds it; the
 * lock of a process that is gone (killed with SIGKILL, say) is taken over. Returns its release,
 * which also happens when the process exits.
 *
 * The lock appears whole or not at all: it is written under a name of this process's own, created
 * exclusively (never through a file or link planted there), then linked to the lock's name, which
 * fails when the name is taken. A stale lock is first renamed to a name of this process's own, so
 * that of two runs taking it over only one succeeds.
 */
export function lockFolder(dir: string): () => void {
  const lock = path.join(dir, LOCK_FILE);
  const mine = `${lock}.${process.pid}`;
  try {
    // A leftover of an earlier process with this PID (containers reuse them), or a planted link:
    // removed, not written through.
    rmSync(mine, { force: true });
    const content = `${process.pid} ${startTimeOf(process.pid) ?? ''}\n`;
    writeFileSync(mine, content, { flag: 'wx' });
    for (let attempt = 0; attempt < 3; attempt++) {
      if (held.has(path.resolve(lock)))
        throw new OutputError(
          `${dir} is in use by another run in this process; wait for it to end, or choose another --out`,
          'exists',
        );
      try {
        linkSync(mine, lock);
        held.add(path.resolve(lock));
        const release = () => {
          process.off('exit', release);
          held.delete(path.resolve(lock));
          // Only a lock that is still this run's: one taken over meanwhile is another run's. A
          // folder made read-only meanwhile keeps a stale lock (the next run takes it over): the
          // run's own outcome, not the lock's removal, is what the exit code says.
          try {
            if (readLockHolder(lock) === content) rmSync(lock, { force: true });
          } catch {}
        };
        process.on('exit', release);
        return release;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const text = readLockHolder(lock);
      if (text === undefined) continue; // released meanwhile: try again
      const holder = parseHolder(text);
      if (holder === undefined || isLive(holder)) {
        throw new OutputError(
          `${dir} is in use by another bench run (PID ${holder?.pid ?? 'unknown'}); wait for it to end, or choose another --out${holder ? '' : ` (or remove ${lock} if no run uses the folder)`}`,
          'exists',
        );
      }
      takeOverStaleLock(lock, text);
    }
    throw new OutputError(
      `cannot lock the output folder ${dir}: other runs keep taking it`,
      'exists',
    );
  } catch (error) {
    if (error instanceof OutputError) throw error;
    throw new OutputError(
      `cannot lock the output folder ${dir}: ${(error as Error).message}`,
      kindOf(error as NodeJS.ErrnoException),
    );
  } finally {
    rmSync(mine, { force: true });
  }
}

interface LockHolder {
  pid: number;
  /** When the process started (procfs clock ticks): a PID reused by another process differs. */
  startTime?: string;
}

/** `<pid> <start time>`; a lock of an earlier version holds only the PID. */
function parseHolder(text: string): LockHolder | undefined {
  const match = /^([1-9]\d{0,9})(?: (\d*))?\n?$/.exec(text);
  if (!match) return undefined;
  return { pid: Number(match[1]), ...(match[2] ? { startTime: match[2] } : {}) };
}

/**
 * Whether the lock's holder still runs: its PID is alive and, where procfs tells, started when the
 * lock says (a lock of an earlier version, without a start time: a live process whose command line
 * names bench). This very process's PID in a lock it does not hold is an earlier process's (after
 * a restart): its own locks are in `held`.
 */
function isLive(holder: LockHolder): boolean {
  if (holder.pid === process.pid || !isAlive(holder.pid)) return false;
  const now = startTimeOf(holder.pid);
  if (now === undefined) return true;
  if (holder.startTime !== undefined) return now === holder.startTime;
  try {
    return /bench/.test(readFileSync(`/proc/${holder.pid}/cmdline`, 'latin1'));
  } catch {
    return true;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat, after the command name (which may hold spaces and parentheses). */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Moves a dead holder's lock away and removes it; another run may have taken it over first. */
function takeOverStaleLock(lock: string, staleText: string): void {
  const moved = `${lock}.stale.${process.pid}`;
  try {
    renameSync(lock, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else moved it
    throw error;
  }
  // Between our read and our rename, another run may have replaced the stale lock with its own.
  if (readLockHolder(moved) !== staleText) {
    try {
      linkSync(moved, lock);
    } catch {
      // The name is taken again: the next attempt reads who holds it.
    }
  }
  rmSync(moved, { force: true });
}

/**
 * The lock's content, or undefined when there is no lock (any more). Anything but a small regular
 * file there (a link to a FIFO, say) is read as a holder unknown, without waiting on it.
 */
function readLockHolder(lock: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(lock, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : '';
  }
  try {
    if (!fstatSync(fd).isFile()) return '';
    const bytes = Buffer.alloc(64);
    return bytes.subarray(0, readSync(fd, bytes)).toString('utf8');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}
