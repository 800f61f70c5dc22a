import { describe, expect, it } from 'vitest';
import { arrivalTimes } from '../../src/load/arrivals.ts';

describe("the open model's schedule", () => {
  it('spaces uniform arrivals evenly from the offset, and stops before the end', () => {
    const times = [
      ...arrivalTimes({ rate: 4, arrival: 'uniform', seed: 1, offsetMs: 100, untilMs: 1100 }),
    ];
    expect(times).toEqual([100, 350, 600, 850]);
  });

  it('repeats Poisson arrivals exactly for a seed, and differs for another', () => {
    const plan = { rate: 50, arrival: 'poisson' as const, untilMs: 10_000 };
    const first = [...arrivalTimes({ ...plan, seed: 7 })];
    expect([...arrivalTimes({ ...plan, seed: 7 })]).toEqual(first);
    expect([...arrivalTimes({ ...plan, seed: 8 })]).not.toEqual(first);
  });

  it('keeps the Poisson rate: the count and the mean gap of a long schedule', () => {
    const times = [...arrivalTimes({ rate: 200, arrival: 'poisson', seed: 3, untilMs: 100_000 })];
    // 20,000 arrivals expected; a Poisson count's standard deviation is about 141.
    expect(times.length).toBeGreaterThan(19_500);
    expect(times.length).toBeLessThan(20_500);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(gaps.every((gap) => gap >= 0)).toBe(true);
    // Exponential gaps: their standard deviation equals their mean (5 ms).
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeCloseTo(5, 0);
    expect(sd / mean).toBeGreaterThan(0.9);
    expect(sd / mean).toBeLessThan(1.1);
  });
});
