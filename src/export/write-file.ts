import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export async function writeFileAtomic(
  dir: string,
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  const target = path.join(dir, name);
  const temporary = path.join(dir, `.${name}.${process.pid}.tmp`);
  await writeFile(temporary, content);
  await rename(temporary, target);
  return target;
}
