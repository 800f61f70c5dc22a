import { describe, expect, it } from 'vitest';
import { type AnalysedTrial, analyseTrial } from '../../src/analysis/analyse.ts';
import { summarizeVariant } from '../../src/analysis/variant-summary.ts';
import { compareVariants } from '../../src/analysis/verdict.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { TrialResult } from '../../src/results/run.ts';
import type { Sample } from '../../src/results/sample.ts';

/**
 * A deploy as two users see it: 10 ms requests, then at t = 1000 either a refusal (every request
 * refused in 1 ms, with a 75 ms back-off, for `refuseMs`) or a stall (one request held `stallMs`).
 */
function deploy(
  how: { refuseMs?: number; stallMs?: number },
  status: TrialResult['status'] = 'completed',
  n = 1,
): AnalysedTrial {
  const recorder = new Recorder({ intervalMs: 100 });
  const ok = (user: number, t: number, latencyMs: number): Sample => ({
    user,
    t,
    latencyMs,
    status: 200,
    bytes: 2,
  });
  for (let t = 0; t < 1000; t += 10) for (const user of [0, 1]) recorder.record(ok(user, t, 10));
  recorder.event({ t: 1000, phase: 'triggered' });
  let t = 1000;
  if (how.refuseMs) {
    for (; t < 1000 + how.refuseMs; t += 76) {
      for (const user of [0, 1])
        recorder.record({ user, t, latencyMs: 1, status: 0, error: 'refused', bytes: 0 });
    }
  }
  if (how.stallMs) {
    for (const user of [0, 1]) recorder.record(ok(user, t, how.stallMs));
    t += how.stallMs;
  }
  recorder.event({ t, phase: status === 'failed' ? 'failed' : 'completed' });
  for (const end = t + 1000; t < end; t += 10)
    for (const user of [0, 1]) recorder.record(ok(user, t, 10));
  return analyseTrial(
    {
      trial: n,
      status,
      ...(status === 'failed' ? { failure: 'exit 1' } : {}),
      startedAt: '',
      recording: recorder.finish(t),
      deployLog: [],
    },
    `trial ${n}`,
  );
}

const refuses = { name: 'stop-first', summary: summarizeVariant([deploy({ refuseMs: 2000 })]) };
const stalls = { name: 'blue-green', summary: summarizeVariant([deploy({ stallMs: 300 })]) };

describe('the verdict ranks what users felt', () => {
  it('names the stalling variant best over the one whose refusals were each short', () => {
    // The refusing variant's longest transaction is the shortest (10 ms against 300 ms) ...
    expect(refuses.summary.metrics.longestTransactionMs.median).toBeLessThan(
      stalls.summary.metrics.longestTransactionMs.median,
    );
    const comparison = compareVariants([refuses, stalls], { kind: 'completed' });
    // ... but its users waited over 2 s, with 54 failed requests.
    expect(refuses.summary.metrics.longestUserWaitMs.median).toBeGreaterThan(2000);
    expect(comparison.best).toBe('blue-green');
    expect(comparison.decidedBy).toBe('longestUserWaitMs');
    expect(comparison.rankedBy).toEqual(['longestUserWaitMs', 'errors', 'longestTransactionMs']);
    expect(comparison.variants.map((v) => v.rank)).toEqual([2, 1]);
    expect(comparison.headline).toBe(
      `blue-green: users waited at most 300 ms, 0 failed; stop-first: 2.06 s, 54 failed — blue-green's longest wait 6.9× shorter than stop-first's (1 trial each: too few to tell a difference from noise; 4 trials each can)`,
    );
  });

  it('goes to failed requests, then the longest transaction, when the waits are equal', () => {
    const a = { name: 'a', summary: summarizeVariant([deploy({ stallMs: 300 })]) };
    const b = {
      name: 'b',
      summary: summarizeVariant([deploy({ refuseMs: 100, stallMs: 148 })]),
    };
    expect(b.summary.metrics.longestUserWaitMs.median).toBeCloseTo(300, 0);
    const comparison = compareVariants([b, a], { kind: 'completed' });
    expect(comparison.best).toBe('a');
    expect(comparison.decidedBy).toBe('errors');
    expect(comparison.headline).toContain('— a failed 0 requests, b 4');
  });

  it('names no winner for a lead under half a millisecond, in either order of the variants', () => {
    const a = { name: 'a', summary: summarizeVariant([deploy({ stallMs: 300 })]) };
    const b = { name: 'b', summary: summarizeVariant([deploy({ stallMs: 300.3 })]) };
    // The figures do differ, by less than a millisecond, on every ranked metric:
    expect(b.summary.metrics.longestUserWaitMs.median).toBeGreaterThan(
      a.summary.metrics.longestUserWaitMs.median,
    );
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const comparison = compareVariants(order, { kind: 'completed' });
      expect(comparison.best).toBeNull();
      expect(comparison.decidedBy).toBeNull();
      expect(comparison.headline).toMatch(/no difference between [ab] and [ab]$/);
    }
  });

  it('never lets a variant whose deploy failed or whose trial was interrupted win', () => {
    const failed = {
      name: 'current',
      summary: summarizeVariant([deploy({ stallMs: 20 }, 'failed')]),
    };
    const comparison = compareVariants([failed, stalls], {
      kind: 'failed',
      reason: 'current, trial 1: the deploy failed: exit 1',
    });
    expect(comparison.best).toBeNull();
    expect(comparison.variants.map((v) => [v.rank, v.leftOut])).toEqual([
      [null, 'its deploy failed in 1 of 1 trial'],
      // No verdict, no places: a script reading rank 1 must not find a winner.
      [null, null],
    ]);
    expect(comparison.headline).toMatch(
      /— no winner: the run failed; current left out: its deploy failed in 1 of 1 trial$/,
    );

    const interrupted = {
      name: 'rolling',
      summary: summarizeVariant([deploy({ stallMs: 5 }, 'interrupted')]),
    };
    const cut = compareVariants([refuses, stalls, interrupted], { kind: 'interrupted' });
    expect(cut.best).toBe('blue-green');
    expect(cut.headline).toMatch(/; rolling left out: a trial was interrupted$/);
  });

  it('has no winner for a run that failed elsewhere, nor for a single variant', () => {
    const failed = compareVariants([refuses, stalls], {
      kind: 'failed',
      reason: 'the afterVariant hook failed',
    });
    expect(failed.best).toBeNull();
    expect(failed.headline).toMatch(/— no winner: the afterVariant hook failed$/);
    const alone = compareVariants([stalls], { kind: 'completed' });
    expect(alone.best).toBeNull();
    expect(alone.headline).toBe('blue-green: users waited at most 300 ms, 0 failed');
  });

  it('calls equal variants equal', () => {
    const twin = { name: 'twin', summary: stalls.summary };
    const comparison = compareVariants([stalls, twin], { kind: 'completed' });
    expect(comparison.best).toBeNull();
    expect(comparison.headline).toMatch(/— no difference between blue-green and twin$/);
  });

  it('names no winner when several trials put the difference within the noise', () => {
    const trials = (stalls: number[]) =>
      summarizeVariant(stalls.map((stallMs, i) => deploy({ stallMs }, 'completed', i + 1)));
    const comparison = compareVariants(
      [
        { name: 'a', summary: trials([300, 500, 320, 480]) },
        { name: 'b', summary: trials([310, 490, 330, 460]) },
      ],
      { kind: 'completed' },
    );
    expect(comparison.best).toBeNull();
    expect(comparison.decidedBy).toBeNull();
    expect(comparison.headline).toMatch(
      /b's longest wait 1 % shorter than a's, but within the noise \(rank test p = 1\.0, 4 trials each\): no winner$/,
    );
  });

  it('with too few trials for the test, names a winner only when every pair of trials agrees (as bench compare does)', () => {
    const trials = (stalls: number[]) =>
      summarizeVariant(stalls.map((stallMs, i) => deploy({ stallMs }, 'completed', i + 1)));
    const overlapping = compareVariants(
      [
        { name: 'a', summary: trials([300, 500]) },
        { name: 'b', summary: trials([320, 350]) },
      ],
      { kind: 'completed' },
    );
    expect(overlapping.best).toBeNull();
    expect(overlapping.headline).toMatch(
      /, but within the noise \(2 trials each: the trials overlap, and are too few to tell a difference from noise; 4 trials each can\): no winner$/,
    );
    const apart = compareVariants(
      [
        { name: 'a', summary: trials([300, 310]) },
        { name: 'b', summary: trials([500, 520]) },
      ],
      { kind: 'completed' },
    );
    expect(apart.best).toBe('a');
    expect(apart.headline).toMatch(
      /\(2 trials each: too few to tell a difference from noise; 4 trials each can\)$/,
    );
  });

  it('names the same winner whatever the order of the variants', () => {
    // Waits count in whole milliseconds (101, 100, 101): b's is shortest, however they are listed.
    const a = { name: 'a', summary: summaryOf({ wait: 100.6, errors: 1, longest: 90 }) };
    const b = { name: 'b', summary: summaryOf({ wait: 100.0, errors: 3, longest: 80 }) };
    const c = { name: 'c', summary: summaryOf({ wait: 101.2, errors: 1, longest: 70 }) };
    const orders = [
      [a, b, c],
      [a, c, b],
      [b, a, c],
      [b, c, a],
      [c, a, b],
      [c, b, a],
    ];
    const verdicts = orders.map((order) => {
      const comparison = compareVariants(order, { kind: 'completed' });
      return [comparison.best, comparison.decidedBy];
    });
    for (const verdict of verdicts) expect(verdict).toEqual(['b', 'longestUserWaitMs']);
  });
});

/** A variant's summary with just the figures the ranking reads, for one trial. */
function summaryOf(figures: { wait: number; errors: number; longest: number }) {
  const one = (value: number) => ({ median: value, min: value, max: value, values: [value] });
  const summary = summarizeVariant([]);
  return {
    ...summary,
    trials: 1,
    metrics: {
      ...summary.metrics,
      longestUserWaitMs: one(figures.wait),
      errors: one(figures.errors),
      longestTransactionMs: one(figures.longest),
    },
  };
}
