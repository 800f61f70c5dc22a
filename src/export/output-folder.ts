import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isStaleLockLeftover, LOCK_FILE, lockFolder } from './folder-lock.ts';
import { kindOf, OutputError } from './output-error.ts';
import { EXPORTERS } from './registry.ts';

/** What opening a folder does with the files already in it. */
export type ExistingFiles =
  /** `bench run`, `bench watch`, `bench merge`: a folder holding anything is refused (exit 2). */
  | 'refuse'
  /** `--force`, the library's `runScenario`: the earlier run's report files go; others stay. */
  | 'replace'
  /** `bench report`, `bench compare`: the files are written beside what is there. */
  | 'keep';

/**
 * A temporary file of bench's own, left by a write that was killed: `.<file>.<pid>.<random>.tmp`
 * (`.<file>.<pid>.<n>.tmp` before), where <file> is one bench writes. Nothing else is taken for one.
 */
function isLeftoverOfAWrite(name: string): boolean {
  const match = /^\.(.+)\.\d+\.(\d+|[0-9a-f]{12})\.tmp$/.exec(name);
  return match !== null && isBenchFile(match[1] as string);
}

/** The files bench writes into an output folder: a run's reports, `bench compare`'s and `bench history`'s. */
function isBenchFile(name: string): boolean {
  return (
    ['compare.json', 'compare.md', 'history.html', 'history.md'].includes(name) ||
    isReportFile(name)
  );
}

/** A run's reports (export/registry.ts): what `--force` replaces. */
function isReportFile(name: string): boolean {
  return EXPORTERS.some((e) => e.files.test(name));
}

/** Files a folder under version control or a desktop keeps: an empty folder holds them too. */
const HOUSEKEEPING = new Set(['.gitkeep', '.gitignore', '.DS_Store']);

/**
 * The one owner of an output folder (`--out`): made, locked against a second run, cleared of what a
 * killed run left, and written into one whole file at a time. It knows what it wrote, so that only
 * files that exist are named. Every command and the library write through it.
 */
export class OutputFolder {
  readonly #written: string[] = [];
  readonly #release: () => void;

  private constructor(
    readonly dir: string,
    release: () => void,
  ) {
    this.#release = release;
  }

  /**
   * Opens `dir` before anything is measured: makes it, takes its lock (refused while another run
   * holds it), removes bench's own leftovers, deals with the files already there as `existing`
   * says, and probes that it can be written.
   */
  static async open(dir: string, existing: ExistingFiles): Promise<OutputFolder> {
    await makeFolder(dir);
    const release = lockFolder(dir);
    try {
      const entries = await readdir(dir);
      // What a run killed mid-write left: bench's own, never a report nor a user's file.
      const leftovers = entries.filter((f) => isLeftoverOfAWrite(f) || isStaleLockLeftover(f));
      for (const file of leftovers) await removeFile(dir, file);
      const present = entries.filter(
        (f) => f !== LOCK_FILE && !leftovers.includes(f) && !HOUSEKEEPING.has(f),
      );
      if (existing === 'refuse' && present.length > 0) {
        throw new OutputError(
          `${dir} already holds ${present.includes('results.json') ? 'a run' : present.length === 1 ? `a file (${present[0]})` : `${present.length} files`}; choose another --out, or add --force to overwrite it`,
          'exists',
        );
      }
      if (existing === 'replace') {
        // What the formats write (export/registry.ts): these go, and nothing else.
        for (const file of present.filter(isReportFile))
          await removeFile(dir, file, '--force replaces only the files a run writes');
      }
      const folder = new OutputFolder(dir, release);
      // A probe now rather than a failure after minutes of measuring: a temporary file, removed.
      folder.#temporary('results.json', ''); // named as the first checkpoint, cleared as its leftover
      return folder;
    } catch (error) {
      release();
      if (error instanceof OutputError) throw error;
      throw new OutputError(
        `cannot use ${dir} as the output folder: ${(error as Error).message}`,
        kindOf(error as NodeJS.ErrnoException),
      );
    }
  }

  /**
   * Writes a file whole: a reader never sees half of it, a failed write (a full disk) leaves the
   * earlier version as it was, and a link planted under its name is replaced, never written
   * through. Returns its path.
   */
  write(name: string, content: string | Uint8Array): string {
    const target = this.#writeWhole(name, content);
    if (!this.#written.includes(target)) this.#written.push(target);
    return target;
  }

  /** The files written so far, in order. */
  get written(): readonly string[] {
    return this.#written;
  }

  /** Releases the lock (also released when the process exits). */
  close(): void {
    this.#release();
  }

  #writeWhole(name: string, content: string | Uint8Array): string {
    // Names come from variants, and a saved results.json may carry any: nothing lands outside.
    if (name !== path.basename(name) || name === '..' || name === '.' || name.includes('\0')) {
      throw new OutputError(
        `refusing to write "${name}": a report's file name must stay inside ${this.dir}`,
      );
    }
    const target = path.join(this.dir, name);
    this.#temporary(name, content, target);
    return target;
  }

  /**
   * Writes `content` under a temporary name for `name`, then renames it to `target`, or removes it
   * when there is none. Created exclusively under a name no one can guess, and written
   * synchronously: a second Ctrl-C (process.exit) comes between two writes, never in one.
   */
  #temporary(name: string, content: string | Uint8Array, target?: string): void {
    const temporary = path.join(
      this.dir,
      `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    try {
      writeFileSync(temporary, content, { flag: 'wx' });
      if (target) renameSync(temporary, target);
      else rmSync(temporary);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw new OutputError(`cannot write ${target ?? this.dir}: ${(error as Error).message}`);
    }
  }
}

/** Removes a file (a link is removed, not followed); a folder under that name is refused. */
async function removeFile(dir: string, name: string, folderProblem = 'bench removes only files') {
  const file = path.join(dir, name);
  if ((await lstat(file)).isDirectory())
    throw new OutputError(`${file} is a folder; ${folderProblem}`, 'path');
  await rm(file, { force: true }).catch((error: Error) => {
    throw new OutputError(`cannot remove ${file}: ${error.message}`);
  });
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
