import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, type ExitCode, ToolError } from '../errors/tool-error.ts';
import { readBounded, UnreadableFile } from '../files/read-bounded.ts';
import { showControls } from '../text/escape.ts';
import { slugOf } from '../text/format.ts';
import { type HistoryRecord, historyRecordSchema } from './record.ts';

/** A record larger than this is refused, and written without its histograms. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** The newest runs of a scenario kept in a folder: adding one removes the oldest beyond it. */
export const KEPT_RUNS = 100;
/** At most this much is read from a folder in all (`bench history` reads every scenario's). */
const MAX_BYTES_READ = 256 * 1024 * 1024;
/** Refusals named one by one; more are counted. */
const MAX_REFUSALS_NAMED = 50;

/**
 * A record's file: `<start, UTC>-<scenario's slug>-<8 hex of its name>-<6 random hex>.json`. Names
 * sort by start; slug and hash say whose it is without reading it ("Shop API" and "shop-api" share
 * a slug, not a hash).
 */
const RECORD_FILE =
  /^(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)-([a-z0-9-]{1,60}-[0-9a-f]{8})-[0-9a-f]{6}\.json$/;

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
      // The folder as named, a link to one included (records inside are never followed).
      const info = await stat(dir).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT' || use === 'read') throw error;
        await mkdir(dir, { recursive: true });
        return stat(dir);
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
   * The records in the folder (only `scenario`'s when it is named), oldest run first, and the
   * files refused with their reason: one bad file costs itself only. Only names of records are
   * read, the newest `KEPT_RUNS` of each scenario, at most 256 MB in all: a folder filled by
   * someone else costs a bounded time and memory. A `.json` file not named as a record is refused
   * unread.
   */
  async read(
    scenario?: string,
  ): Promise<{ records: StoredRecord[]; refused: Refusal[]; unread: number }> {
    const names = (await readdir(this.dir)).filter((name) => name.endsWith('.json')).sort();
    const owner = scenario === undefined ? undefined : ownerOf(scenario);
    const refusals: Refusal[] = [];
    const refuse = (file: string, reason: string) =>
      // Names and reasons come from the folder: shown, never acted on (no line breaks).
      refusals.push({ file: showControls(file), reason: showControls(reason) });
    const byOwner = new Map<string, string[]>();
    for (const name of names) {
      const match = RECORD_FILE.exec(name);
      if (!match) {
        refuse(name, 'not named as a deploy-bench record (<start>-<scenario>-<hash>-<id>.json)');
        continue;
      }
      const whose = match[2] as string;
      if (owner !== undefined && whose !== owner) continue;
      byOwner.set(whose, [...(byOwner.get(whose) ?? []), name]);
    }
    let unread = 0;
    let budget = MAX_BYTES_READ;
    const records: StoredRecord[] = [];
    for (const own of byOwner.values()) {
      unread += Math.max(0, own.length - KEPT_RUNS);
      for (const file of own.slice(-KEPT_RUNS).reverse()) {
        if (budget <= 0) {
          unread++;
          continue;
        }
        const result = await this.readOne(file);
        budget -= result.bytes;
        if ('reason' in result) refuse(file, result.reason);
        else records.push({ file, record: result.record });
      }
    }
    records.sort(
      (a, b) =>
        Date.parse(a.record.startedAt) - Date.parse(b.record.startedAt) ||
        a.file.localeCompare(b.file),
    );
    const named = refusals.slice(0, MAX_REFUSALS_NAMED);
    const more = refusals.length - named.length;
    if (more > 0) named.push({ file: `${more} more files`, reason: 'not listed' });
    return { records, refused: named, unread };
  }

  private async readOne(
    file: string,
  ): Promise<({ record: HistoryRecord } | { reason: string }) & { bytes: number }> {
    const full = path.join(this.dir, file);
    let bytes: Buffer;
    try {
      // A link could point anywhere: only the folder's own files are records.
      if (!(await lstat(full)).isFile()) return { reason: 'not a regular file', bytes: 0 };
      bytes = await readBounded(full, MAX_RECORD_BYTES);
    } catch (error) {
      const reason = error instanceof UnreadableFile ? error.message : String(error);
      return { reason, bytes: MAX_RECORD_BYTES };
    }
    const checked = checkRecord(bytes);
    if ('record' in checked && Date.parse(checked.record.startedAt) > Date.now() + DAY_MS)
      return { reason: `dated in the future (${checked.record.startedAt})`, bytes: bytes.length };
    return { ...checked, bytes: bytes.length };
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
    const owner = ownerOf(record.scenario);
    const stamp = new Date(record.startedAt)
      .toISOString()
      .replace(/:/g, '-')
      .replace(/\.\d+Z$/, 'Z');
    const file = `${stamp}-${owner}-${randomBytes(3).toString('hex')}.json`;
    const temporary = path.join(this.dir, `.${file}.${process.pid}.tmp`);
    // `wx`: a name already there (even a link) is never written through.
    await writeFile(temporary, `${text}\n`, { flag: 'wx' });
    try {
      await rename(temporary, path.join(this.dir, file));
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
    await this.prune(owner);
    return file;
  }

  /** The scenario's records beyond the newest `KEPT_RUNS`, removed (its own files only). */
  private async prune(owner: string): Promise<void> {
    const own = (await readdir(this.dir))
      .filter((name) => RECORD_FILE.exec(name)?.[2] === owner)
      .sort();
    for (const name of own.slice(0, Math.max(0, own.length - KEPT_RUNS))) {
      const full = path.join(this.dir, name);
      if ((await lstat(full)).isFile()) await unlink(full);
    }
  }
}

/** A scenario's name as it appears in its records' file names: 60 characters at most. */
function scenarioSlug(name: string): string {
  return slugOf(name).slice(0, 60).replace(/-$/, '');
}

function hasProtoKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Object.hasOwn(value, '__proto__')) return true;
  return Object.values(value).some(hasProtoKey);
}

const DAY_MS = 24 * 3600 * 1000;

/** A record's bytes, checked: the record, or why it is not one. */
function checkRecord(bytes: Buffer): { record: HistoryRecord } | { reason: string } {
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

/** Whose a record is, in its file's name: the scenario's slug and a hash of its exact name. */
function ownerOf(scenario: string): string {
  return `${scenarioSlug(scenario)}-${createHash('sha256').update(scenario).digest('hex').slice(0, 8)}`;
}
