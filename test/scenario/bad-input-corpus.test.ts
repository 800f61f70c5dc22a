import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';

const CORPUS = 'test/fixtures/bad';

/** Each file's first line says what must be said of it: `# expect: <text found in one problem line>`. */
describe('a corpus of bad scenario files', () => {
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has at least 30 files', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
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
