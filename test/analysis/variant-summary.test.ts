import { describe, expect, it } from 'vitest';
import { type AnalysedTrial, analyseTrial } from '../../src/analysis/analyse.ts';
import { median, spread, summarizeVariant } from '../../src/analysis/variant-summary.ts';
import { compareVariants } from '../../src/analysis/verdict.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { TrialResult } from '../../src/results/run.ts';
import type { Sample } from '../../src/results/sample.ts';

/** A trial whose only slow request takes `longestMs`, with `failures` refused requests. */
function trial(
  n: number,
  longestMs: number,
  failures: number,
  status: TrialResult['status'] = 'completed',
): AnalysedTrial {
  const recorder = new Recorder();
  const sample = (t: number, latencyMs: number, code: number): Sample => ({
    user: 0,
    t,
    latencyMs,
    status: code,
    bytes: 0,
    ...(code === 0 ? { error: 'refused' as const } : {}),
  });
  recorder.record(sample(0, 5, 200));
  recorder.event({ t: 10, phase: 'triggered' });
  for (let i = 0; i < failures; i++) recorder.record(sample(10 + i, 1, 0));
  recorder.record(sample(100, longestMs, 200));
  recorder.event({ t: 200 + longestMs, phase: 'completed' });
  return analyseTrial(
    {
      trial: n,
      status,
      startedAt: '',
      recording: recorder.finish(300 + longestMs),
      deployLog: [],
    },
    `trial ${n}`,
  );
}

describe('summaries over trials', () => {
  it('takes the median, min and max, ignoring figures with no data', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spread([5, Number.NaN, 1, 9])).toEqual({
      median: 5,
      min: 1,
      max: 9,
      ci: { low: 1, high: 9, confidence: 0.75 },
    });
    expect(spread([7])).toEqual({ median: 7, min: 7, max: 7 });
    expect(Number.isNaN(spread([]).median)).toBe(true);
  });

  it('summarises the trials that ran to their end', () => {
    const summary = summarizeVariant([
      trial(1, 400, 2),
      trial(2, 100, 0, 'failed'),
      trial(3, 250, 4),
      trial(4, 9000, 9, 'interrupted'),
    ]);
    expect(summary.trials).toBe(3);
    expect(summary.failedTrials).toBe(1);
    expect(summary.metrics.longestTransactionMs).toMatchObject({ median: 250, min: 100, max: 400 });
    expect(summary.metrics.errors).toMatchObject({ median: 2, min: 0, max: 4 });
  });

  it('compares every variant with the first and writes a quotable headline', () => {
    const comparison = compareVariants(
      [
        { name: 'stop-start', summary: summarizeVariant([trial(1, 4000, 3)]) },
        { name: 'preboot', summary: summarizeVariant([trial(1, 100, 0)]) },
      ],
      { kind: 'completed' },
    );
    expect(comparison.baseline).toBe('stop-start');
    expect(comparison.variants.map((v) => v.longestTransactionRatio)).toEqual([1, 0.025]);
    // The user who met 3 refusals from t = 10 waited until the end of their success at 100 + 4000.
    expect(comparison.headline).toBe(
      "preboot: users waited at most 100 ms, 0 failed; stop-start: 4.09 s, 3 failed — preboot's longest wait 41× shorter than stop-start's (1 trial each: too few to tell a difference from noise; 4 trials each can)",
    );
    expect(comparison.best).toBe('preboot');
    expect(comparison.variants[1]?.longestTransactionTest).toEqual({
      p: 1,
      minimumP: 1,
      beyondNoise: false,
    });
  });

  it('claims a difference only when the trials support it', () => {
    const many = (longest: number[]) =>
      summarizeVariant(longest.map((ms, i) => trial(i + 1, ms, 0)));
    const clear = compareVariants(
      [
        { name: 'stop-start', summary: many([4000, 4100, 3900, 4200]) },
        { name: 'preboot', summary: many([100, 120, 90, 110]) },
      ],
      { kind: 'completed' },
    );
    expect(clear.headline).toMatch(
      /preboot's longest wait 39× shorter than stop-start's \(beyond the noise: rank test p = 0\.029, 4 trials each\)$/,
    );
    expect(clear.best).toBe('preboot');
    expect(clear.variants[1]?.longestTransactionTest?.beyondNoise).toBe(true);
    const noisy = compareVariants(
      [
        { name: 'a', summary: many([100, 300, 120, 280]) },
        { name: 'b', summary: many([110, 290, 130, 260]) },
      ],
      { kind: 'completed' },
    );
    expect(noisy.headline).toMatch(
      /but within the noise \(rank test p = 1\.0, 4 trials each\): no winner$/,
    );
    expect(noisy.best).toBeNull();
  });
});
