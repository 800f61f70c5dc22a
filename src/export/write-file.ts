import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, type ExitCode, ToolError } from '../errors/tool-error.ts';
import { EXPORTERS } from './registry.ts';

/** The output folder cannot be used, or the reports could not be written in it. */
export class OutputError extends ToolError {
  override name = 'OutputError';
  get exitCode(): ExitCode {
    return this.kind === 'io' ? EXIT.runFailed : EXIT.badInput;
  }
  constructor(
    message: string,
    /**
     * `exists`: the folder holds an earlier run; `path`: the folder cannot be one (both bad input,
     * exit 2); `io`: writing failed (exit 3).
     */
    readonly kind: 'exists' | 'path' | 'io' = 'io',
  ) {
    super(message);
  }
}

/** Writes so far, to name each one's temporary file. */
let writes = 0;

/**
 * Writes through a temporary file and a rename, so a reader never sees half a file and a failed
 * write (a full disk) leaves the previous version of the file as it was.
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  // Names come from variants, and a saved results.json may carry any: nothing lands outside `dir`.
  if (name !== path.basename(name) || name === '..' || name === '.' || name.includes('\0')) {
    throw new OutputError(
      `refusing to write "${name}": a report's file name must stay inside ${dir}`,
    );
  }
  const target = path.join(dir, name);
  // Unique per write, not only per process: a library caller may write two runs into one folder.
  const temporary = path.join(dir, `.${name}.${process.pid}.${++writes}.tmp`);
  temporaryFiles.add(temporary);
  try {
    await writeFile(temporary, content);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new OutputError(`cannot write ${target}: ${(error as Error).message}`);
  } finally {
    temporaryFiles.delete(temporary);
  }
  return target;
}

/** Files half-written when the process exits (a second Ctrl-C) are removed on the way out. */
const temporaryFiles = new Set<string>();
process.on('exit', () => {
  for (const file of temporaryFiles) rmSync(file, { force: true });
});

/** Held in an output folder for as long as a run writes into it; it holds the writer's PID. */
export const LOCK_FILE = '.deploy-bench.lock';

/**
 * Makes sure the output folder can be written before anything is measured, that no other run is
 * writing into it, and that it holds no earlier run that would be overwritten silently (`force`
 * clears the earlier run's report files, so that none of them mixes into the new report). Returns
 * the release of the folder's lock, which is also released when the process exits.
 */
export async function prepareOutputFolder(
  dir: string,
  options: { force: boolean },
): Promise<() => void> {
  await makeFolder(dir);
  const release = lockFolder(dir);
  try {
    const existing = (await readdir(dir)).filter((f) => !f.startsWith('.'));
    if (existing.length > 0 && !options.force) {
      throw new OutputError(
        `${dir} already holds ${existing.includes('results.json') ? 'a run' : `${existing.length} files`}; choose another --out, or add --force to overwrite it`,
        'exists',
      );
    }
    // What the formats write (export/registry.ts): `--force` clears these, and nothing else.
    for (const file of existing.filter((f) => EXPORTERS.some((e) => e.files.test(f)))) {
      if ((await lstat(path.join(dir, file))).isDirectory())
        throw new OutputError(
          `${path.join(dir, file)} is a folder; --force replaces only the files a run writes`,
          'path',
        );
      await rm(path.join(dir, file), { force: true }).catch((error: Error) => {
        throw new OutputError(
          `cannot remove the earlier run's ${path.join(dir, file)}: ${error.message}`,
        );
      });
    }
    // A probe now rather than a failure after minutes of measuring.
    await writeFileAtomic(dir, '.write-probe', '');
    await rm(path.join(dir, '.write-probe'), { force: true });
  } catch (error) {
    release();
    throw error;
  }
  return release;
}

/** A folder that cannot be made there is the choice of folder (exit 2); a full disk is not (exit 3). */
function kindOf(error: NodeJS.ErrnoException): OutputError['kind'] {
  return ['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS'].includes(error.code ?? '')
    ? 'path'
    : 'io';
}

/**
 * Creates the folder and the missing ones above it, one at a time. Node's recursive mkdir never
 * returns under a folder that exists but cannot hold one (`/proc/x`): it retries forever.
 */
export async function makeFolder(dir: string): Promise<void> {
  if (dir.trim() === '') throw new OutputError('--out: expected a folder, got ""', 'path');
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const found = await stat(current).catch((error: NodeJS.ErrnoException) => {
      // Not there (or under a file, which the next step up finds): to be made.
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw new OutputError(
        `cannot use ${dir} as the output folder: ${error.message}`,
        kindOf(error),
      );
    });
    if (found?.isDirectory()) break;
    if (found)
      throw new OutputError(
        `cannot use ${dir} as the output folder: ${current} is a file, not a folder`,
        'path',
      );
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return;
      throw new OutputError(
        `cannot create the output folder ${dir}: ${error.code === 'ENOENT' ? `${path.dirname(folder)} cannot hold folders` : error.message}`,
        kindOf(error),
      );
    });
  }
}

/**
 * Takes the folder's lock, or refuses (a bad-input exit) while another live process holds it; the
 * lock of a process that is gone (killed with SIGKILL, say) is taken over.
 *
 * The lock appears whole or not at all: it is written under a name of this process's own, then
 * linked to the lock's name, which fails when the name is taken. A stale lock is first renamed to a
 * name of this process's own, so that of two runs taking it over only one succeeds.
 */
function lockFolder(dir: string): () => void {
  const lock = path.join(dir, LOCK_FILE);
  const mine = `${lock}.${process.pid}`;
  try {
    writeFileSync(mine, `${process.pid}\n`);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, lock);
        const release = () => {
          process.off('exit', release);
          // A folder made read-only meanwhile keeps a stale lock (the next run takes it over): the
          // run's own outcome, not the lock's removal, is what the exit code says.
          try {
            rmSync(lock, { force: true });
          } catch {}
        };
        process.on('exit', release);
        return release;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const text = readLockHolder(lock);
      if (text === undefined) continue; // released meanwhile: try again
      const holder = /^\d+\n?$/.test(text) ? Number(text) : Number.NaN;
      // A PID that repeats after a restart (containers) may be this very process's, or another
      // program's: neither holds the folder.
      if (!Number.isInteger(holder) || (holder !== process.pid && isBenchRun(holder))) {
        throw new OutputError(
          `${dir} is in use by another bench run (PID ${Number.isInteger(holder) ? holder : 'unknown'}); wait for it to end, or choose another --out${Number.isInteger(holder) ? '' : ` (or remove ${lock} if no run uses the folder)`}`,
          'exists',
        );
      }
      takeOverStaleLock(lock, holder);
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

/** Moves a dead holder's lock away and removes it; another run may have taken it over first. */
function takeOverStaleLock(lock: string, deadHolder: number): void {
  const moved = `${lock}.stale.${process.pid}`;
  try {
    renameSync(lock, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else moved it
    throw error;
  }
  // Between our read and our rename, another run may have replaced the stale lock with its own.
  if (Number.parseInt(readLockHolder(moved) ?? '', 10) !== deadHolder) {
    try {
      linkSync(moved, lock);
    } catch {
      // The name is taken again: the next attempt reads who holds it.
    }
  }
  rmSync(moved, { force: true });
}

/** The lock's content, or undefined when there is no lock (any more). */
function readLockHolder(lock: string): string | undefined {
  try {
    return readFileSync(lock, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : '';
  }
}

/** Whether `pid` is a live bench process (where /proc tells; elsewhere, whether it is alive). */
function isBenchRun(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, it is someone else's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return /bench/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return true;
  }
}
