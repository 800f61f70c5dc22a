import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors/tool-error.ts';
import { TOOL } from '../../src/run/tool.ts';
import { benchInProcess } from '../helpers/cli.ts';
import { REPO } from '../helpers/scenarios.ts';

const GOLDEN_RUN = path.join(REPO, 'test/fixtures/golden-run/results.json');

describe('the CLI run in-process, with injected output', () => {
  it('prints --version and --help to its stdout and returns 0, without ending the process', async () => {
    const version = await benchInProcess(['--version']);
    expect(version).toEqual({ exitCode: EXIT.ok, stdout: `${TOOL.version}\n`, stderr: '' });
    const help = await benchInProcess(['--help']);
    expect(help.exitCode).toBe(EXIT.ok);
    expect(help.stdout).toContain('Exit codes: 0 done, 1 a gate failed, 2 bad input');
  });

  it('returns the exit code each error carries, with its own words', async () => {
    const none = await benchInProcess([]);
    expect(none.exitCode).toBe(EXIT.badInput);
    expect(none.stderr).toBe(
      "bench: expected a command, e.g. bench run scenarios/preboot.yaml\nRun 'bench --help' for usage.\n",
    );
    const scenario = await benchInProcess([
      'validate',
      'test/fixtures/bad/19-unknown-top-key.yaml',
    ]);
    expect(scenario.exitCode).toBe(EXIT.badInput);
    expect(scenario.stderr).toMatch(/^test\/fixtures\/bad\/19-unknown-top-key\.yaml:\d+:\d+: /);
    const results = await benchInProcess(['report', 'package.json']);
    expect(results.exitCode).toBe(EXIT.badInput);
    expect(results.stderr).toMatch(/^package\.json: not a deploy-bench results\.json: /);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-in-process-')), 'a-file');
    writeFileSync(file, '');
    const output = await benchInProcess(['report', GOLDEN_RUN, '--out', path.join(file, 'out')]);
    expect(output.exitCode).toBe(EXIT.badInput);
    expect(output.stderr).toMatch(/^bench: .*a-file/);
  });

  it('finds the command wherever options put it, and runs it', async () => {
    const missing = 'test/fixtures/no-such-scenario.yaml';
    const expected = `${missing}: cannot read the scenario: no such file\n`;
    for (const args of [
      ['run', missing, '--out', 'unused'],
      ['--out', 'unused', 'run', missing],
      // An option's value that names a command is not taken for the command.
      ['--out', 'init', 'run', missing],
      ['--version', 'false', 'run', missing],
    ]) {
      const result = await benchInProcess(args);
      expect({ args, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        args,
        exitCode: EXIT.badInput,
        stderr: expected,
      });
    }
  });

  it('refuses an option given twice that takes one value, or given without one, and keeps lists', async () => {
    const twice = await benchInProcess(['init', '--platform', 'pm2', '--platform', 'heroku']);
    expect(twice.exitCode).toBe(EXIT.badInput);
    expect(twice.stderr.split('\n')[0]).toBe(
      'bench: --platform: expected once, got it more than once',
    );
    const out = await benchInProcess(['compare', 'a.json', 'b.json', '--out', 'x', '--out', 'y']);
    expect(out.stderr.split('\n')[0]).toBe('bench: --out: expected once, got it more than once');
    const files = await benchInProcess([
      'validate',
      'scenarios/preboot.yaml',
      'scenarios/preboot-open.yaml',
    ]);
    expect(files.exitCode, files.stderr).toBe(EXIT.ok);
    // A CI job's `--gate "$GATE"` with GATE unset must not run without its gate.
    const valueless = await benchInProcess(['run', 'scenarios/preboot.yaml', '--gate']);
    expect(valueless.exitCode).toBe(EXIT.badInput);
    expect(valueless.stderr.split('\n')[0]).toBe('bench: --gate: expected a value');
    const wrong = await benchInProcess(['init', '--platform', 'foo']);
    expect(wrong.stderr.split('\n')[0]).toBe(
      'bench: --platform: expected one of "embedded", "heroku", "kubernetes", "pm2", "command", got "foo"',
    );
  });

  it('re-renders a saved run: the summary on its stdout, the files in --out', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-in-process-'));
    const report = await benchInProcess(['report', GOLDEN_RUN, '--out', out, '--export', 'md']);
    expect(report.exitCode).toBe(EXIT.ok);
    expect(report.stdout).toContain('── preboot · 1 trial');
    expect(report.stdout).toContain(`Wrote 1 file to ${out}`);
  });

  it('reads the environment it is given: the Markdown summary goes to GITHUB_STEP_SUMMARY', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-in-process-'));
    const summary = path.join(dir, 'step-summary.md');
    const env = { ...process.env, CI: '1', GITHUB_STEP_SUMMARY: summary };
    const report = await benchInProcess(
      ['report', GOLDEN_RUN, '--out', dir, '--export', 'md'],
      env,
    );
    expect(report.exitCode).toBe(EXIT.ok);
    expect(readFileSync(summary, 'utf8')).toBe(
      `${readFileSync(path.join(dir, 'summary.md'), 'utf8')}\n`,
    );
  });

  it('only warns when GITHUB_STEP_SUMMARY cannot be written: summary.md and the rest still are', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-in-process-'));
    const env = { ...process.env, CI: '1', GITHUB_STEP_SUMMARY: path.join(dir, 'no/such/x.md') };
    const report = await benchInProcess(
      ['report', GOLDEN_RUN, '--out', dir, '--export', 'md,junit'],
      env,
    );
    expect(report.exitCode).toBe(EXIT.ok);
    expect(report.stderr).toContain('GITHUB_STEP_SUMMARY: cannot append the summary: ENOENT');
    expect(report.stdout).toContain(`Wrote 2 files to ${dir}`);
  });
});
