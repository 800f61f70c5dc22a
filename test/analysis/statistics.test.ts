import { describe, expect, it } from 'vitest';
import { mannWhitney, medianConfidenceInterval } from '../../src/analysis/statistics.ts';

describe('median confidence interval', () => {
  it('says nothing from one trial', () => {
    expect(medianConfidenceInterval([5])).toBeUndefined();
  });

  it('is [min, max] with its true coverage when there are few trials', () => {
    expect(medianConfidenceInterval([3, 1, 2])).toEqual({ low: 1, high: 3, confidence: 0.75 });
    expect(medianConfidenceInterval([4, 1, 3, 2, 5, 6])).toEqual({
      low: 1,
      high: 6,
      confidence: 0.96875,
    });
  });

  it('narrows to the order statistics that keep 95 % coverage', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    // For n = 20 the 95 % interval is [x(6), x(15)], coverage 0.9586.
    const ci = medianConfidenceInterval(values);
    expect(ci?.low).toBe(6);
    expect(ci?.high).toBe(15);
    expect(ci?.confidence).toBeCloseTo(0.9586, 4);
  });
});

describe('Mann–Whitney exact test', () => {
  it('cannot tell anything from one trial each', () => {
    expect(mannWhitney([4000], [100])).toEqual({ p: 1, minimumP: 1 });
  });

  it('gives the exact p-value of a complete separation', () => {
    // 4 against 4, all of one group above the other: 2 of the 70 splits are that extreme.
    const test = mannWhitney([10, 11, 12, 13], [1, 2, 3, 4]);
    expect(test?.p).toBeCloseTo(2 / 70, 12);
    expect(test?.minimumP).toBeCloseTo(2 / 70, 12);
  });

  it('finds no difference between interleaved samples', () => {
    expect(mannWhitney([1, 3, 5, 7], [2, 4, 6, 8])?.p).toBeGreaterThan(0.5);
  });

  it('handles ties with mid-ranks', () => {
    const test = mannWhitney([5, 5, 5], [5, 5, 5]);
    expect(test?.p).toBe(1);
    expect(mannWhitney([1, 2, 2, 3, 9, 9], [9, 9, 12, 13, 14, 15])?.p).toBeLessThan(0.05);
  });
});
