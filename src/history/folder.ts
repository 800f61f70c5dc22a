import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, type ExitCode, ToolError } from '../errors/tool-error.ts';
import { readBounded, UnreadableFile } from '../files/read-bounded.ts';
import { type HistoryRecord, historyRecordSchema } from './record.ts';

/** A record larger than this is refused, and written without its histograms. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** The newest runs of a scenario kept in a folder: adding one removes the oldest beyond it. */
export const KEPT_RUNS = 100;
/** At most this many files are read from a folder, the newest by name. */
const MAX_FILES_READ = 2000;

/** A record's file: `<start, UTC>-<scenario>-<6 hex>.json`, sorting by start. */
const RECORD_FILE = /^(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)-([a-z0-9-]{1,60})-[0-9a-f]{6}\.json$/;

/** The `--history` folder cannot be used: bad input (exit 2). */
export class HistoryError extends ToolError {
  override name = 'HistoryError';
  readonly exitCode: ExitCode = EXIT.badInput;
}

export interface StoredRecord {
  /** Its file's name in the folder. */
  file: string;
  record: HistoryRecord;
}

/** A file of the folder that was not read as a record: its name and why. */
export interface Refusal {
  file: string;
  reason: string;
}

/**
 * A history folder (docs/history.md): the records of past runs, one file per run. Reading trusts
 * nothing in it; writing goes only into it, to names this tool makes, never through a link.
 */
export class HistoryFolder {
  private constructor(readonly dir: string) {}

  /**
   * The folder, made when it is not there yet (a CI cache's first run) unless only `reading`; exit
   * 2 when it cannot be used.
   */
  static async open(dir: string, use: 'add' | 'read' = 'add'): Promise<HistoryFolder> {
    // Named as the command line names it: `--history DIR` to a run, the folder to bench history.
    const named = use === 'add' ? `--history ${dir}` : dir;
    try {
      const info = await lstat(dir).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT' || use === 'read') throw error;
        await mkdir(dir, { recursive: true });
        return lstat(dir);
      });
      if (!info.isDirectory()) throw new HistoryError(`${named}: not a folder`);
      await readdir(dir);
    } catch (error) {
      if (error instanceof HistoryError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new HistoryError(
        `${named}: ${code === 'ENOENT' ? 'no such folder' : (error as Error).message}`,
      );
    }
    return new HistoryFolder(dir);
  }

  /**
   * Every record in the folder, oldest run first, and the files refused with their reason: one
   * bad file costs itself only.
   */
  async read(): Promise<{ records: StoredRecord[]; refused: Refusal[]; unread: number }> {
    const names = (await readdir(this.dir))
      .filter((name) => name.endsWith('.json'))
      .sort()
      .reverse();
    const records: StoredRecord[] = [];
    const refused: Refusal[] = [];
    for (const file of names.slice(0, MAX_FILES_READ)) {
      const result = await this.readOne(file);
      if ('reason' in result) refused.push({ file, reason: result.reason });
      else records.push({ file, record: result.record });
    }
    records.sort(
      (a, b) =>
        Date.parse(a.record.startedAt) - Date.parse(b.record.startedAt) ||
        a.file.localeCompare(b.file),
    );
    return { records, refused, unread: Math.max(0, names.length - MAX_FILES_READ) };
  }

  private async readOne(file: string): Promise<{ record: HistoryRecord } | { reason: string }> {
    const full = path.join(this.dir, file);
    let bytes: Buffer;
    try {
      // A link could point anywhere: only the folder's own files are records.
      if (!(await lstat(full)).isFile()) return { reason: 'not a regular file' };
      bytes = await readBounded(full, MAX_RECORD_BYTES);
    } catch (error) {
      return { reason: error instanceof UnreadableFile ? error.message : String(error) };
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      return { reason: `not JSON (${(error as Error).message})` };
    }
    // A `__proto__` key is kept by JSON.parse as a field, and dropped unseen by the schema's
    // records: a file that carries one was not written by bench.
    if (bytes.includes('"__proto__"') && hasProtoKey(json))
      return { reason: 'not a deploy-bench history record: it has a "__proto__" key' };
    const checked = historyRecordSchema.safeParse(json);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = issue?.path.map(String).join('.') || 'the top level';
      return { reason: `not a deploy-bench history record: ${field}: ${issue?.message}` };
    }
    return { record: checked.data as HistoryRecord };
  }

  /**
   * Adds a run: written whole under a new name, then renamed into place (a reader never sees half
   * a record). Without its histograms when they would make it too large. The scenario's oldest
   * records beyond `KEPT_RUNS` are removed. Returns the file's name.
   */
  async add(record: HistoryRecord): Promise<string> {
    let text = JSON.stringify(record);
    if (Buffer.byteLength(text) > MAX_RECORD_BYTES) {
      const slim = {
        ...record,
        variants: record.variants.map((v) => ({
          ...v,
          trials: v.trials.map(({ histograms: _left, ...trial }) => trial),
        })),
      };
      text = JSON.stringify(slim);
      if (Buffer.byteLength(text) > MAX_RECORD_BYTES)
        throw new Error(`the run's record would be larger than ${MAX_RECORD_BYTES} bytes`);
    }
    const slug = scenarioSlug(record.scenario);
    const stamp = new Date(record.startedAt)
      .toISOString()
      .replace(/:/g, '-')
      .replace(/\.\d+Z$/, 'Z');
    const file = `${stamp}-${slug}-${randomBytes(3).toString('hex')}.json`;
    const temporary = path.join(this.dir, `.${file}.${process.pid}.tmp`);
    // `wx`: a name already there (even a link) is never written through.
    await writeFile(temporary, `${text}\n`, { flag: 'wx' });
    try {
      await rename(temporary, path.join(this.dir, file));
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
    await this.prune(slug);
    return file;
  }

  /** The scenario's records beyond the newest `KEPT_RUNS`, removed (its own files only). */
  private async prune(slug: string): Promise<void> {
    const own = (await readdir(this.dir))
      .filter((name) => RECORD_FILE.exec(name)?.[2] === slug)
      .sort();
    for (const name of own.slice(0, Math.max(0, own.length - KEPT_RUNS))) {
      const full = path.join(this.dir, name);
      if ((await lstat(full)).isFile()) await unlink(full);
    }
  }
}

/** A scenario's name as it appears in its records' file names. */
function scenarioSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60)
      .replace(/-$/, '') || 'run'
  );
}

function hasProtoKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Object.hasOwn(value, '__proto__')) return true;
  return Object.values(value).some(hasProtoKey);
}
