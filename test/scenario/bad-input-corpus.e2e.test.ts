import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem, ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenarioFile, MAX_SCENARIO_BYTES } from '../../src/scenario/load.ts';
import { BENCH } from '../helpers/scenarios.ts';

const CORPUS = 'test/fixtures/bad';

/** Each file's first line says what must be said of it: `# expect: <text found in one problem line>`. */
describe('a corpus of bad scenario files', () => {
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has at least 60 files', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
  });

  for (const file of files) {
    it(file, async () => {
      const full = path.join(CORPUS, file);
      const expected = /^# expect: (.*)$/m.exec(readFileSync(full, 'utf8'))?.[1];
      expect(expected, 'the file says what to expect').toBeTruthy();
      const error = await loadScenarioFile(full, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'the file is rejected').toBeInstanceOf(ScenarioError);
      const lines = (error as ScenarioError).problems.map(formatProblem);
      // One clear line per problem: the file, a line number, and no stack trace.
      for (const line of lines) {
        expect(line.startsWith(`${full}:`) || line.startsWith(`${full}: `)).toBe(true);
        expect(line).not.toMatch(/\n/);
        expect(line).not.toMatch(/\bat \S+ \(.*:\d+:\d+\)/);
      }
      expect(
        lines.some((l) => l.includes(expected as string)),
        lines.join('\n'),
      ).toBe(true);
    });
  }
});

describe('files that are not a scenario to read', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-bad-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const problemOf = async (file: string) =>
    loadScenarioFile(file, {}).then(
      () => 'accepted',
      (e: unknown) => (e instanceof ScenarioError ? e.problems.map(formatProblem).join('\n') : e),
    );

  it('refuses a FIFO at once, where reading it would wait forever', async () => {
    const fifo = path.join(dir, 'scenario.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await problemOf(fifo)).toBe(
      `${fifo}: cannot read the scenario: not a regular file (a pipe)`,
    );
  });

  it('refuses a folder', async () => {
    expect(await problemOf(dir)).toBe(
      `${dir}: cannot read the scenario: not a regular file (a folder)`,
    );
  });

  it('refuses a file over 1 MB without parsing it', async () => {
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, `name: x\ndescription: "${'x'.repeat(MAX_SCENARIO_BYTES)}"\n`);
    expect(await problemOf(big)).toBe(`${big}: cannot read the scenario: larger than 1 MB`);
  });

  it('bounds the body files together, not only each one', async () => {
    // Five bodies of 15 MB each (sparse files: zeros, valid UTF-8), each under its own limit.
    const names = [1, 2, 3, 4, 5].map((n) => `body-${n}.txt`);
    for (const name of names) {
      writeFileSync(path.join(dir, name), '');
      truncateSync(path.join(dir, name), 15 * 1024 * 1024);
    }
    const file = path.join(dir, 'many-bodies.yaml');
    writeFileSync(
      file,
      `name: x
target: { url: "http://127.0.0.1:9/" }
load:
  users: 1
  endpoints:
${names.map((name, i) => `    - { name: e${i}, method: POST, bodyFile: ${name} }`).join('\n')}
variants: [{ name: a, command: "true" }]
`,
    );
    expect(await problemOf(file)).toMatch(
      /load\.endpoints\[4\]\.bodyFile: the body files come to more than 64 MB together/,
    );
  });

  it('reads no more than 1 MB of a file whose size procfs gives as 0', async () => {
    // /proc/self/pagemap reads on for gigabytes: read whole, it took 4 GB before failing.
    expect(await problemOf('/proc/self/pagemap')).toBe(
      '/proc/self/pagemap: cannot read the scenario: larger than 1 MB',
    );
  });
});

describe('bench validate over the whole corpus', () => {
  it('exits 2, with only located lines, at least one for every file', async () => {
    const files = readdirSync(CORPUS)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(CORPUS, f));
    const result = await execa('node', [BENCH, 'validate', ...files], {
      reject: false,
      env: { PATH: process.env.PATH ?? '' },
      extendEnv: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    for (const line of lines) {
      expect(line, 'one located line per problem').toMatch(
        /^test\/fixtures\/bad\/\d\d-[\w-]+\.yaml:(\d+:)?(\d+:)? \S/,
      );
      expect(line).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
    for (const file of files)
      expect(
        lines.some((l) => l.startsWith(`${file}:`)),
        file,
      ).toBe(true);
  });
});
