import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { exitCodeOf } from '../../src/analysis/outcome.ts';
import { EXIT } from '../../src/errors/tool-error.ts';
import { evaluateGates, judgeBy } from '../../src/gates/evaluate.ts';
import { GateSyntaxError, parseGate } from '../../src/gates/parse.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

const VARIANTS = ['stop-start', 'preboot', 'v1.2'];

function problem(source: string): string {
  try {
    parseGate(source, VARIANTS);
  } catch (error) {
    if (error instanceof GateSyntaxError) return `${error.column}: ${error.message}`;
    throw error;
  }
  throw new Error(`"${source}" parsed`);
}

describe('parsing gates', () => {
  it('reads a threshold on one variant', () => {
    const gate = parseGate('preboot.longest < 2s', VARIANTS);
    expect(gate.left).toMatchObject({
      variant: 'preboot',
      phase: 'overall',
      metric: { name: 'longest', unit: 'ms' },
    });
    expect(gate.left.aggregation).toBeUndefined();
    expect(gate.comparator).toBe('<');
    expect(gate.right).toEqual({ kind: 'constant', value: 2000, unit: 'ms' });
  });

  it('takes names as written when no scenario gives them (a library caller), checks them when one does', () => {
    expect(parseGate('canary.endpoint(home).errors == 0').left).toMatchObject({
      variant: 'canary',
      endpoint: 'home',
    });
    expect(() => parseGate('canary.errors == 0', VARIANTS)).toThrow(/unknown variant "canary"/);
    expect(() => parseGate('preboot.endpoint(home).errors == 0', VARIANTS, [])).toThrow(
      /the scenario has no load.endpoints to name/,
    );
  });

  it('reads wildcards, phases, percentages and aggregations', () => {
    expect(parseGate('*.errors == 0', VARIANTS).left.variant).toBe('*');
    expect(parseGate('preboot.during.p99 < 500ms', VARIANTS).left).toMatchObject({
      phase: 'during',
      metric: { name: 'p99' },
    });
    expect(parseGate('v1.2.after.p99.9<=1s', VARIANTS).left).toMatchObject({
      variant: 'v1.2',
      phase: 'after',
      metric: { name: 'p99.9' },
    });
    expect(parseGate('preboot.availability >= 99.9%', VARIANTS).right).toEqual({
      kind: 'constant',
      value: 99.9,
      unit: 'percent',
    });
    expect(parseGate('median(preboot.longest) < 1s', VARIANTS).left.aggregation).toBe('median');
    expect(parseGate('preboot.disruption <= 0s', VARIANTS).right).toEqual({
      kind: 'constant',
      value: 0,
      unit: 'ms',
    });
  });

  it('reads a gate relative to another variant', () => {
    const gate = parseGate('preboot.longest < 0.2 * min(stop-start.longest)', VARIANTS);
    expect(gate.right).toMatchObject({
      kind: 'metric',
      factor: 0.2,
      ref: { variant: 'stop-start', aggregation: 'min' },
    });
    expect(parseGate('preboot.user-wait<0.5*stop-start.user-wait', VARIANTS).right).toMatchObject({
      factor: 0.5,
    });
  });

  it('says what is wrong, and where', () => {
    expect(problem('canary.longest < 2s')).toBe(
      `1: unknown variant "canary"; the scenario's variants are "stop-start", "preboot", "v1.2" (or * for each)`,
    );
    expect(problem('preboot.slowest < 2s')).toMatch(
      /^1: "preboot\.slowest" names no metric; expected <variant>\.<metric> with a metric among longest, /,
    );
    expect(problem('preboot.longest < 2')).toBe(
      '19: longest is compared with a duration such as 500ms or 2s, not "2"',
    );
    expect(problem('preboot.errors < 1s')).toBe(
      '18: errors is compared with a whole number such as 0, not "1s"',
    );
    expect(problem('preboot.availability > 99.9')).toBe(
      '24: availability is compared with a percentage such as 99.9%, not "99.9"',
    );
    expect(problem('preboot.longest 2s')).toBe(
      '17: expected a comparison (<, <=, >, >=, ==, !=) but found "2s"',
    );
    expect(problem('preboot.longest <')).toBe(
      '18: expected a threshold such as 2s, 0 or 99.9% at the end',
    );
    expect(problem('preboot.longest < 2s 3s')).toBe('22: unexpected "3s" after the gate');
    expect(problem('preboot.during.errors == 0')).toMatch(
      /^1: errors is not measured by phase; only p50, /,
    );
    expect(problem('preboot.longest < 0.5 * *.longest')).toBe(
      '25: a threshold cannot use "*": name one variant',
    );
    expect(problem('preboot.longest < stop-start.errors')).toBe(
      '19: cannot compare longest with errors: different units',
    );
    expect(problem('median(preboot.longest < 1s')).toBe('24: expected ")" but found "<"');
    expect(problem('preboot.longest < 2s; rm')).toBe('21: unexpected ";"');
  });
});

describe('evaluating gates against a known run', () => {
  // stop-start: longest 4000 and 4400 ms, 3 and 5 failed; preboot: 120 and 90 ms, none failed.
  const report = syntheticReport();
  const evaluate = (...sources: string[]) =>
    evaluateGates(
      sources.map((s) => parseGate(s, ['stop-start', 'preboot'])),
      analyse(report).variants,
    );

  it('gates on findings: fault findings, one by its id, and a name that is none', () => {
    // stop-start's trials each show a stretch with no instance answering; preboot's none.
    const [stopStart, preboot, byId, info] = evaluate(
      'stop-start.findings == 0',
      'preboot.findings == 0',
      'stop-start.findings.nothing-up == 0',
      'stop-start.findings.mixed-releases == 0',
    );
    expect(stopStart).toMatchObject({ passed: false, actual: 1, unit: 'count' });
    expect(preboot).toMatchObject({ passed: true, actual: 0 });
    expect(byId).toMatchObject({ passed: false, actual: 1 });
    expect(info).toMatchObject({ passed: true, actual: 0 });
    expect(() => parseGate('preboot.findings.slow-boot == 0', VARIANTS)).toThrow(
      /"preboot.findings.slow-boot" names no metric/,
    );
  });

  it('holds a gate to the worst trial by default', () => {
    const [strict, below] = evaluate('preboot.longest < 120ms', 'preboot.longest <= 119ms');
    expect(strict).toMatchObject({
      passed: false,
      actual: 120,
      threshold: 120,
      basis: 'worst of 2 trials',
    });
    expect(below).toMatchObject({ passed: false, actual: 120 });
    expect(evaluate('preboot.longest <= 120ms')[0]).toMatchObject({
      passed: true,
      expression: 'preboot.longest <= 120 ms',
    });
    expect(evaluate('preboot.availability >= 100%')[0]).toMatchObject({
      passed: true,
      actual: 100,
    });
    expect(evaluate('stop-start.availability >= 99.5%')[0]).toMatchObject({
      passed: false,
      basis: 'worst of 2 trials',
    });
  });

  it('uses the aggregation a gate names', () => {
    expect(evaluate('median(stop-start.longest) < 4.3s')[0]).toMatchObject({
      passed: true,
      actual: 4200,
      basis: 'median of 2 trials',
    });
    expect(evaluate('min(stop-start.errors) == 3')[0]).toMatchObject({
      passed: true,
      actual: 3,
      expression: 'min(stop-start.errors) == 3',
    });
  });

  it('expands * into one result per variant', () => {
    const results = evaluate('*.errors == 0');
    expect(results.map((r) => [r.expression, r.passed, r.actual])).toEqual([
      ['stop-start.errors == 0', false, 5],
      ['preboot.errors == 0', true, 0],
    ]);
  });

  it('compares with another variant, least favourably', () => {
    // max(preboot) = 120 against 0.05 × min(stop-start) = 200.
    expect(evaluate('preboot.longest < 0.05 * stop-start.longest')[0]).toMatchObject({
      passed: true,
      actual: 120,
      threshold: 200,
    });
    expect(evaluate('preboot.longest < 0.02 * stop-start.longest')[0]).toMatchObject({
      passed: false,
      threshold: 80,
    });
  });

  it('fails a gate that has nothing to compare, saying so', () => {
    const empty = { ...report, variants: report.variants.map((v) => ({ ...v, trials: [] })) };
    const [result] = evaluateGates(
      [parseGate('preboot.longest < 1s', ['stop-start', 'preboot'])],
      empty.variants,
    );
    expect(result).toMatchObject({
      passed: false,
      problem: 'no measured value for preboot.longest',
      basis: 'no trial',
    });
  });
});

describe('judging a run by its gates', () => {
  const report = syntheticReport();
  const gates = ['preboot.longest < 1s', 'stop-start.errors == 0'].map((s) =>
    parseGate(s, ['stop-start', 'preboot']),
  );

  it('evaluates them on the figures of a completed run, and gives its exit code', () => {
    const run = analyse(report, judgeBy(gates));
    expect(run.gates.map((g) => [g.expression, g.evaluated, g.passed])).toEqual([
      ['preboot.longest < 1.00 s', true, true],
      ['stop-start.errors == 0', true, false],
    ]);
    expect(exitCodeOf(run)).toBe(EXIT.gateFailed);
    expect(exitCodeOf(analyse(report, judgeBy(gates.slice(0, 1))))).toBe(EXIT.ok);
    expect(exitCodeOf(analyse(report))).toBe(EXIT.ok);
  });

  it('shows them unevaluated, never passed, when the run did not complete', () => {
    const interrupted = analyse({ ...report, interrupted: true }, judgeBy(gates));
    expect(interrupted.gates.map((g) => [g.evaluated, g.passed, g.problem])).toEqual([
      [false, false, 'not evaluated: the run was interrupted'],
      [false, false, 'not evaluated: the run was interrupted'],
    ]);
    expect(exitCodeOf(interrupted)).toBe(EXIT.interrupted);
    const failed = analyse({ ...report, failure: 'the disk is full' }, judgeBy(gates));
    expect(failed.gates[0]?.problem).toBe('not evaluated: the run failed');
    expect(exitCodeOf(failed)).toBe(EXIT.runFailed);
  });

  it('leaves what was measured as it was', () => {
    const before = JSON.stringify(report);
    const run = analyse(report, judgeBy(gates));
    expect(run.results).toBe(report);
    expect(JSON.stringify(report)).toBe(before);
  });
});
