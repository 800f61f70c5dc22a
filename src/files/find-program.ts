import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Whether `program` is an executable file: a path from `cwd`, or a name on `searchPath`. */
export function findProgram(program: string, cwd: string, searchPath = ''): boolean {
  const candidates = program.includes('/')
    ? [path.resolve(cwd, program)]
    : searchPath
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, program));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}
