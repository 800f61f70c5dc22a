import { describe, expect, it } from 'vitest';
import type { AnalysedRun } from '../../src/analysis/analyse.ts';
import { exitCodeOf } from '../../src/analysis/outcome.ts';
import { EXIT } from '../../src/errors/tool-error.ts';
import { judgeBy } from '../../src/gates/evaluate.ts';
import { parseGate } from '../../src/gates/parse.ts';
import type { OutputFailure, RunOutput } from '../../src/run/output.ts';
import { writeRun } from '../../src/run/run-scenario.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

/** What a fake output was asked to write, as the run stood when each write read it. */
interface Written {
  which: 'reports' | 'results.json';
  interrupted: boolean;
  failure: string | undefined;
}

/** An output that writes nothing: it records each write and fails as told. */
function fakeOutput(fail: (which: Written['which'], attempt: number) => OutputFailure[]) {
  const writes: Written[] = [];
  const output: RunOutput = {
    checkpoint: async () => undefined,
    async write(run: () => AnalysedRun, which) {
      const { results } = run();
      writes.push({ which, interrupted: results.interrupted, failure: results.failure });
      return fail(which, writes.length);
    },
  };
  return { output, writes };
}

const gates = judgeBy([parseGate('preboot.errors == 0', ['stop-start', 'preboot'])]);

async function write(output: RunOutput, signal = new AbortController().signal) {
  const warnings: string[] = [];
  const measured = syntheticReport();
  const before = JSON.stringify(measured);
  const run = await writeRun(measured, gates, {
    output,
    observer: {},
    signal,
    warn: (line) => warnings.push(line),
  });
  // What was measured is never changed: a new RunResults carries what happened while writing.
  expect(JSON.stringify(measured)).toBe(before);
  return { run, warnings };
}

describe('writing a measured run', () => {
  it('writes the reports once, judged, when nothing goes wrong', async () => {
    const { output, writes } = fakeOutput(() => []);
    const { run, warnings } = await write(output);
    expect(writes).toEqual([{ which: 'reports', interrupted: false, failure: undefined }]);
    expect(warnings).toEqual([]);
    expect(run.gates.map((g) => g.passed)).toEqual([true]);
    expect(exitCodeOf(run)).toBe(EXIT.ok);
  });

  it('after an abort while writing, says interrupted and writes results.json again', async () => {
    const abort = new AbortController();
    abort.abort();
    const { output, writes } = fakeOutput(() => []);
    const { run } = await write(output, abort.signal);
    expect(writes.map((w) => [w.which, w.interrupted])).toEqual([
      ['reports', true],
      ['results.json', true],
    ]);
    expect(run.gates[0]?.evaluated).toBe(false);
    expect(exitCodeOf(run)).toBe(EXIT.interrupted);
  });

  it('makes the run failed when a report is not written, and says so in results.json', async () => {
    const { output, writes } = fakeOutput((which) =>
      which === 'reports'
        ? [{ format: 'html', message: 'cannot write out/index.html: ENOSPC' }]
        : [],
    );
    const { run, warnings } = await write(output);
    expect(warnings).toEqual(['bench: cannot write out/index.html: ENOSPC']);
    expect(writes.at(-1)).toEqual({
      which: 'results.json',
      interrupted: false,
      failure: 'cannot write out/index.html: ENOSPC',
    });
    expect(exitCodeOf(run)).toBe(EXIT.runFailed);
  });

  it('does not try results.json again when it was the file not written', async () => {
    for (const failure of [{ format: 'json' }, {}]) {
      const { output, writes } = fakeOutput(() => [{ ...failure, message: 'no space' }]);
      const { run } = await write(output);
      expect(writes.map((w) => w.which)).toEqual(['reports']);
      expect(run.outcome).toEqual({ kind: 'failed', reason: 'no space' });
    }
  });

  it('tells a results.json that could not be written again', async () => {
    const abort = new AbortController();
    abort.abort();
    const { output } = fakeOutput((which) =>
      which === 'results.json' ? [{ format: 'json', message: 'cannot write results.json' }] : [],
    );
    const { warnings } = await write(output, abort.signal);
    expect(warnings).toEqual(['bench: cannot write results.json']);
  });

  it('writes only results.json when no trial was recorded', async () => {
    const { output, writes } = fakeOutput(() => []);
    const empty = syntheticReport();
    for (const variant of empty.variants) variant.trials = [];
    await writeRun({ ...empty, failure: 'the target did not come up' }, gates, {
      output,
      observer: {},
      signal: new AbortController().signal,
      warn: () => {},
    });
    expect(writes.map((w) => w.which)).toEqual(['results.json']);
  });
});
