import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BENCH, REPO } from '../helpers/scenarios.ts';

/** What the commands need, and `--version` and `--help` do not. */
const HEAVY = [
  'zod',
  'undici',
  'autocannon',
  'execa',
  'fast-xml-parser',
  'hdr-histogram-js',
  'yaml',
];

/** The packages the compiled `bench ARGS` loads. */
async function packagesLoadedBy(args: string[]): Promise<string[]> {
  const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-imports-')), 'imports');
  const hook = path.join(REPO, 'test/fixtures/record-imports/register.mjs');
  const run = await execa('node', ['--import', hook, BENCH, ...args], {
    reject: false,
    env: { RECORD_IMPORTS: record },
  });
  expect(run.stderr).toBe('');
  const urls = readFileSync(record, 'utf8').split('\n');
  return [...new Set(urls.flatMap((url) => /\/node_modules\/([^/]+)\//.exec(url)?.[1] ?? []))];
}

describe('the CLI start', () => {
  it('loads none of the commands’ libraries for --version and --help', async () => {
    for (const flag of ['--version', '--help']) {
      const loaded = await packagesLoadedBy([flag]);
      expect(loaded).toContain('yargs');
      expect({ flag, heavy: loaded.filter((name) => HEAVY.includes(name)) }).toEqual({
        flag,
        heavy: [],
      });
    }
  });

  it('loads them when a command runs', async () => {
    const loaded = await packagesLoadedBy(['validate', 'scenarios/preboot.yaml']);
    expect(loaded).toEqual(expect.arrayContaining(['zod', 'yaml']));
  });
});
