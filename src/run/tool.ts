import { readFileSync } from 'node:fs';

const manifest = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as {
  name: string;
  version: string;
};

/** Name and version of this tool, as written into every result. */
export const TOOL = { name: manifest.name, version: manifest.version };
