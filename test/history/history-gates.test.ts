import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/analysis/outcome.ts';
import { gateAnnotations } from '../../src/cli/annotations.ts';
import {
  awaitsHistory,
  evaluateGates,
  type GateHistory,
  gatesPassed,
  statisticOf,
} from '../../src/gates/evaluate.ts';
import { GateSyntaxError, parseGate } from '../../src/gates/parse.ts';
import { judgedAtEnd } from '../../src/live/gates.ts';
import type { GateResult } from '../../src/results/run.ts';
import { gateMiss, gateSummary } from '../../src/view/table.ts';
import { benchInProcess } from '../helpers/cli.ts';

const VARIANTS = ['stop-start', 'preboot'];

/** A variant whose one trial's longest user wait is `waitMs` (and 0 errors). */
function variant(name: string, waitMs: number) {
  const metrics = { longestUserWaitMs: waitMs, errors: 0 } as never;
  return { name, trials: [{ result: { status: 'completed' as const }, metrics, findings: [] }] };
}

/** Past runs of one trial each, as a history folder would hand them over. */
function history(values: number[], minRuns = 10): GateHistory {
  return {
    minRuns,
    pastRuns: (variant, figure) =>
      variant === 'preboot' && figure === 'user-wait' ? values.map((v) => [v]) : [],
  };
}

describe('a gate against past runs', () => {
  it("reads p95(history), max(history)… with a factor and an allowance in the figure's unit", () => {
    const gate = parseGate('preboot.user-wait <= 1.5 * p95(history) + 1s', VARIANTS);
    expect(gate.right).toEqual({
      kind: 'history',
      factor: 1.5,
      statistic: { percentile: 95 },
      allowance: 1000,
    });
    expect(parseGate('*.errors <= max(history)', VARIANTS).right).toMatchObject({
      statistic: { name: 'max' },
      allowance: 0,
    });
    expect(parseGate('preboot.errors <= median(history) + 2').right).toMatchObject({
      allowance: 2,
    });
    expect(parseGate('preboot.availability >= p5(history)').right).toMatchObject({
      statistic: { percentile: 5 },
    });
    // A `>=` budget is loosened by taking away: both spellings.
    for (const source of [
      'preboot.availability >= p5(history) - 0.5%',
      'preboot.availability >= p5(history) -0.5%',
    ])
      expect(parseGate(source).right).toMatchObject({ allowance: -0.5 });
  });

  it.each([
    ['preboot.user-wait <= p95(history) + 3', 'after "+"'],
    ['preboot.user-wait <= p95(history) - x', 'after "-"'],
    ['preboot.errors <= max(history) + 1s', 'expected a count such as 2 after "+", not "1s"'],
    ['preboot.user-wait <= p95(histroy)', 'expected "p95(history)", not "p95(histroy"'],
    ['preboot.user-wait <= median(History)', 'expected "median(history)"'],
    ['preboot.user-wait <= top(history)', 'expected a percentile such as p95'],
    ['preboot.user-wait <= p0(history)', 'expected a percentile such as p95'],
    ['preboot.user-wait <= p95(history', 'expected ")"'],
    ['preboot.user-wait <= p95(history) +', 'an allowance such as 1s'],
    ['preboot.user-wait <= p95(history) 1s', 'unexpected "1s"'],
  ])('refuses %s in one line', (source, message) => {
    expect(() => parseGate(source, VARIANTS)).toThrow(GateSyntaxError);
    expect(() => parseGate(source, VARIANTS)).toThrow(message);
  });

  it('judges against the statistic of the past runs, and says which and of how many', () => {
    const past = Array.from({ length: 20 }, (_, i) => 1000 + 10 * i); // 1000 … 1190 ms
    const [result] = evaluateGates(
      [parseGate('preboot.user-wait <= p95(history) + 100ms', VARIANTS)],
      [variant('preboot', 1500)],
      undefined,
      history(past),
    ) as [GateResult];
    // p95 of 20 values interpolates between the 19th and the 20th: 1180.5 ms.
    expect(result.threshold).toBeCloseTo(1280.5, 6);
    expect(result).toMatchObject({ evaluated: true, passed: false, actual: 1500 });
    expect(result.budget).toEqual({ runs: 20, needed: 10, statistic: 1180.5 });
    expect(result.expression).toBe('preboot.user-wait <= p95(history) + 100 ms');
    expect(result.basis).toBe('1 trial; p95 of 20 past runs: 1.18 s');
    expect(gateMiss(result)).toBe('1.50 s is 220 ms (17.1 %) over 1.28 s');
  });

  it('is not judged on fewer past runs than it needs: not a pass, and no failure either', () => {
    const gates = evaluateGates(
      [
        parseGate('preboot.user-wait <= p95(history)', VARIANTS),
        parseGate('preboot.user-wait < 1s', VARIANTS),
      ],
      [variant('preboot', 1500)],
      undefined,
      history([900, 950, 1000]),
    );
    expect(gates[0]).toMatchObject({
      evaluated: false,
      passed: false,
      problem: 'not enough history: 3 past runs, 10 needed',
    });
    expect(gates[0]?.threshold).toBeNaN();
    // The fixed gate still judges, and fails: exit 1 for it, not for the history gate.
    expect(exitCodeOf({ outcome: { kind: 'completed' }, gates })).toBe(1);
    expect(gatesPassed(gates)).toBe(false);
    expect(gateSummary(gates)?.text).toBe(
      '1 of 2 gates failed; 1 not evaluated: not enough history: 3 past runs, 10 needed',
    );
    const waiting = gates.slice(0, 1);
    expect(exitCodeOf({ outcome: { kind: 'completed' }, gates: waiting })).toBe(0);
    expect(gatesPassed(waiting)).toBeNull();
  });

  it('leaves /gate open at the end of a run whose history gate waits, and closed for one that failed', () => {
    const [waiting] = evaluateGates(
      [parseGate('preboot.user-wait <= p95(history)', VARIANTS)],
      [variant('preboot', 1500)],
      undefined,
      history([900]),
    ) as [GateResult];
    const [withheld] = evaluateGates(
      [parseGate('preboot.user-wait <= p95(history)', VARIANTS)],
      [variant('preboot', 1500)],
      'the run failed',
      history([900]),
    ) as [GateResult];
    expect(awaitsHistory(waiting)).toBe(true);
    expect(awaitsHistory(withheld)).toBe(false);
    expect(judgedAtEnd([waiting, withheld]).map((g) => g.status)).toEqual([
      'waiting',
      'not-evaluated',
    ]);
  });

  it('validate in a scenario, and bench validate says they need --history to run', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-validate-')), 'shop.yaml');
    writeFileSync(
      file,
      `name: shop
target: { url: "http://127.0.0.1:1/" }
load: { users: 1 }
variants: [{ name: preboot, command: "true" }]
gates:
  - preboot.user-wait <= p95(history) + 1s
  - preboot.errors == 0
`,
    );
    const validate = await benchInProcess(['validate', file]);
    expect(validate.exitCode, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('2 gates (1 against past runs: run with --history DIR)');
  });

  it('says so when there is no --history at all', () => {
    const [result] = evaluateGates(
      [parseGate('preboot.user-wait <= max(history)', VARIANTS)],
      [variant('preboot', 100)],
    );
    expect(result?.problem).toBe('no history: run with --history DIR');
  });

  it('takes percentiles between ranks, p100 the max and p50 the median', () => {
    const values = [5, 1, 4, 2, 3];
    expect(statisticOf(values, { percentile: 100 })).toBe(5);
    expect(statisticOf(values, { percentile: 50 })).toBe(3);
    expect(statisticOf(values, { percentile: 90 })).toBeCloseTo(4.6, 9);
    expect(statisticOf(values, { name: 'mean' })).toBe(3);
    expect(statisticOf(values, { name: 'min' })).toBe(1);
    expect(statisticOf([], { name: 'max' })).toBeNaN();
  });
});

describe('GitHub Actions annotations', () => {
  const failed: GateResult = {
    expression: 'preboot.user-wait <= p95(history)',
    source: 'preboot.user-wait <= p95(history)',
    variant: 'preboot',
    evaluated: true,
    passed: false,
    actual: 2600,
    threshold: 2000,
    unit: 'ms',
    comparator: '<=',
    basis: '1 trial; p95 of 20 past runs: 2.00 s',
  };
  const passed = { ...failed, passed: true, actual: 1000 };
  const waiting = {
    ...failed,
    evaluated: false,
    problem: 'not enough history: 3 past runs, 10 needed',
  };

  it('are written exactly when GITHUB_ACTIONS is "true" and a judged gate failed', () => {
    const on = { GITHUB_ACTIONS: 'true' };
    expect(gateAnnotations([failed, passed], on)).toEqual([
      '::error title=deploy-bench gate failed%3A preboot.user-wait <= p95(history)::preboot.user-wait <= p95(history): 2.60 s is 600 ms (30 %25) over 2.00 s (1 trial; p95 of 20 past runs: 2.00 s)',
    ]);
    expect(gateAnnotations([passed, waiting], on)).toEqual([]);
    expect(gateAnnotations([failed], {})).toEqual([]);
    expect(gateAnnotations([failed], { GITHUB_ACTIONS: 'false', CI: 'true' })).toEqual([]);
  });

  it('escape what would end or change the command', () => {
    const odd = { ...failed, expression: 'a,b: 100%\nnext', basis: 'x\ry' };
    const [line] = gateAnnotations([odd], { GITHUB_ACTIONS: 'true' });
    expect(line).toBe(
      '::error title=deploy-bench gate failed%3A a%2Cb%3A 100%25%0Anext::a,b: 100%25%0Anext: 2.60 s is 600 ms (30 %25) over 2.00 s (x%0Dy)',
    );
  });
});
