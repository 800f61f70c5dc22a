import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeStopStartScenario } from '../helpers/history.ts';
import { REPO } from '../helpers/scenarios.ts';

/** action.yml's steps, as the runner reads them. */
interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

interface Context {
  inputs: Record<string, string>;
  github: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string> }>;
}

/**
 * The part of GitHub's expression language action.yml uses: contexts, `== 'text'`, `!= 'text'`,
 * `&&` and `always()`. Anything else fails the test, so that a new expression gets a meaning here first.
 */
function evaluate(expression: string, context: Context): string | boolean {
  const parts = expression.split('&&').map((p) => p.trim());
  if (parts.length > 1) return parts.every((p) => evaluate(p, context) === true);
  if (expression === 'always()') return true;
  const compared = /^(.+?)\s*(!=|==)\s*'([^']*)'$/.exec(expression);
  if (compared) {
    const equal = evaluate(compared[1] as string, context) === compared[3];
    return compared[2] === '==' ? equal : !equal;
  }
  const [root, ...rest] = expression.split('.');
  if (root === 'inputs') return context.inputs[rest.join('.')] ?? '';
  if (root === 'github') return context.github[rest.join('.')] ?? '';
  if (root === 'steps' && rest[1] === 'outputs')
    return context.steps[rest[0] as string]?.outputs[rest.slice(2).join('.')] ?? '';
  throw new Error(`this test does not know the expression "${expression}"`);
}

/** `${{ … }}` in a value, replaced as the runner does before a step runs. */
function expand(text: string, context: Context): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) =>
    String(evaluate(expression, context)),
  );
}

/** `name=value` lines of a GITHUB_OUTPUT file. */
function outputsOf(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('action.yml', () => {
  it('runs as the runner runs it: installs, measures, keeps history and report, fails as bench run exits', async () => {
    const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as Action;
    expect(action.runs.using).toBe('composite');
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'bench-action-'));
    const temp = mkdtempSync(path.join(os.tmpdir(), 'bench-runner-temp-'));
    writeStopStartScenario(workspace, 'action-e2e', 1500);
    const given = {
      scenario: 'deploy.yaml',
      history: '.bench-history',
      gates: 'stop-start.user-wait < 100ms\nstop-start.user-wait <= p95(history) + 1s\n',
      args: '--export json,html,md,junit',
    };
    for (const [name, input] of Object.entries(action.inputs))
      if (input.required) expect(given).toHaveProperty(name);
    const context: Context = {
      inputs: {
        ...Object.fromEntries(
          Object.entries(action.inputs).map(([name, input]) => [name, input.default ?? '']),
        ),
        ...given,
      },
      github: { job: 'deploy', run_id: '9001', run_attempt: '1', action_path: REPO },
      steps: {},
    };
    const summary = path.join(temp, 'step-summary.md');
    // The runner's environment, without this machine's own GITHUB_* variables.
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('GITHUB_')),
    );

    let failed = false;
    const ran: { name: string; exitCode: number; stdout: string }[] = [];
    const used: { uses: string; with: Record<string, string> }[] = [];
    for (const [i, step] of action.runs.steps.entries()) {
      // Without always(), a step runs only while every step before it succeeded.
      const wanted = step.if === undefined || evaluate(step.if, context) === true;
      if (!wanted || (failed && !step.if?.includes('always()'))) continue;
      if (step.uses) {
        const inputs = Object.fromEntries(
          Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v), context)]),
        );
        used.push({ uses: step.uses, with: inputs });
        continue;
      }
      expect(step.shell).toBe('bash');
      const script = path.join(temp, `step-${i}.sh`);
      writeFileSync(script, expand(step.run as string, context));
      const output = path.join(temp, `output-${i}`);
      const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
        cwd: workspace,
        reject: false,
        extendEnv: false,
        env: {
          ...base,
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_ACTION_PATH: REPO,
          GITHUB_WORKSPACE: workspace,
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: summary,
          RUNNER_TEMP: temp,
          ...Object.fromEntries(
            Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), context)]),
          ),
        },
      });
      ran.push({ name: step.name, exitCode: result.exitCode ?? -1, stdout: result.stdout });
      if (step.id) context.steps[step.id] = { outputs: outputsOf(output) };
      if (result.exitCode !== 0) failed = true;
    }

    const [install, , measure, fail] = ran;
    expect(ran.map((r) => r.name)).toEqual([
      'Install deploy-bench',
      'Name the history',
      'Measure the deploy',
      'Fail as bench run did',
    ]);
    // Already installed and built here (the tests run the built CLI): the step says so.
    expect(install?.stdout).toContain(`deploy-bench is installed in ${REPO}`);
    expect(measure?.exitCode).toBe(0);
    expect(measure?.stdout).toMatch(
      /^::error title=deploy-bench gate failed%3A stop-start\.user-wait < 100 ms::/m,
    );
    // The history gate has no past run yet: not judged, and no annotation of its own.
    expect(measure?.stdout).toContain('not enough history: 0 past runs, 10 needed');
    expect(measure?.stdout.match(/^::error/gm)).toHaveLength(1);
    // …but a warning that it waits, which a green job would otherwise hide.
    expect(measure?.stdout).toMatch(
      /^::warning title=deploy-bench gate not judged%3A stop-start\.user-wait <= p95\(history\) \+ 1\.00 s::.*not enough history: 0 past runs, 10 needed$/m,
    );
    expect(context.steps.run?.outputs).toEqual({
      'exit-code': '1',
      report: 'deploy-bench-report',
      judged: 'true',
    });
    expect(expand(action.outputs['exit-code']?.value as string, context)).toBe('1');
    expect(fail?.exitCode).toBe(1);

    // What the cache and artifact actions are handed exists, as they would find it.
    expect(used.map((u) => u.uses)).toEqual([
      'actions/cache/restore@v4',
      'actions/cache/save@v4',
      'actions/upload-artifact@v4',
    ]);
    const [restore, save, upload] = used;
    // Named by the job and the scenario, ending in '/': job "deploy" never reads "deploy-2"'s.
    expect(restore?.with).toEqual({
      path: '.bench-history',
      key: 'deploy-bench-history/deploy-deploy.yaml/9001-1',
      'restore-keys': 'deploy-bench-history/deploy-deploy.yaml/',
    });
    expect(save?.with).toEqual({
      path: '.bench-history',
      key: 'deploy-bench-history/deploy-deploy.yaml/9001-1',
    });
    expect(readdirSync(path.join(workspace, save?.with.path as string))).toEqual([
      expect.stringMatching(/-action-e2e-[0-9a-f]{8}-[0-9a-f]{6}\.json$/),
    ]);
    const report = path.join(workspace, upload?.with.path as string);
    for (const file of [
      'index.html',
      'summary.md',
      'junit.xml',
      'results.json',
      'history/history.html',
    ])
      expect(existsSync(path.join(report, file)), file).toBe(true);
    // The job summary: the run's summary.md, then the trend.
    const jobSummary = readFileSync(summary, 'utf8');
    expect(jobSummary).toContain('## deploy-bench: action-e2e');
    expect(jobSummary).toContain('## deploy-bench history: action-e2e');
  }, 120_000);
});
