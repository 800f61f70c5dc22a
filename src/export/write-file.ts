import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The reports could not be written (full disk, unwritable folder): the run failed, exit code 3. */
export class OutputError extends Error {
  override name = 'OutputError';
  constructor(
    message: string,
    /** `exists`: the folder holds an earlier run (bad input); `io`: writing failed. */
    readonly kind: 'exists' | 'io' = 'io',
  ) {
    super(message);
  }
}

/**
 * Writes through a temporary file and a rename, so a reader never sees half a file and a failed
 * write (a full disk) leaves the previous version of the file as it was.
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  const target = path.join(dir, name);
  const temporary = path.join(dir, `.${name}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, content);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new OutputError(`cannot write ${target}: ${(error as Error).message}`);
  }
  return target;
}

/**
 * Makes sure the output folder can be written before anything is measured, and that it holds no
 * earlier run that would be overwritten silently.
 */
export async function prepareOutputFolder(dir: string, options: { force: boolean }): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new OutputError(`cannot create the output folder ${dir}: ${(error as Error).message}`);
  }
  const existing = (await readdir(dir)).filter((f) => !f.startsWith('.'));
  if (existing.length > 0 && !options.force) {
    throw new OutputError(
      `${dir} already holds ${existing.includes('results.json') ? 'a run' : `${existing.length} files`}; choose another --out, or add --force to overwrite it`,
      'exists',
    );
  }
  // A probe now rather than a failure after minutes of measuring.
  await writeFileAtomic(dir, '.write-probe', '');
  await rm(path.join(dir, '.write-probe'), { force: true });
}
