import { describe, expect, it } from 'vitest';
import { type CapacityStep, summarizeCapacity } from '../../src/capacity/measure-capacity.ts';

const step = (connections: number, requestsPerSecond: number, errors = 0): CapacityStep => ({
  connections,
  requestsPerSecond,
  p50Ms: 1,
  p99Ms: 2,
  errors,
  non2xx: 0,
});

describe('what the capacity steps say', () => {
  it('calls a rate still rising at the last step a lower bound, not the capacity', () => {
    // Measured by the attack: 169 / 661 / 2626 requests/s at 1 / 4 / 16 connections.
    const summary = summarizeCapacity([step(1, 169), step(4, 661), step(16, 2626)]);
    expect(summary).toMatchObject({ capacity: 2626, stillRising: true, suggestedRate: 1313 });
    // The users suggested come with the rate they were measured at: 4 users made 661/s, not 1313.
    expect(summary.suggestedUsers).toEqual({ users: 4, measuredRate: 661, measuredWith: 4 });
  });

  it('finds the ceiling where the rate stops rising, or where errors begin', () => {
    const plateau = summarizeCapacity([step(1, 400), step(4, 1500), step(16, 1600)]);
    expect(plateau).toMatchObject({ capacity: 1600, stillRising: false, suggestedRate: 800 });
    expect(plateau.suggestedUsers).toEqual({ users: 1, measuredRate: 400, measuredWith: 1 });
    const failing = summarizeCapacity([step(1, 400), step(4, 1500), step(16, 3000, 12)]);
    expect(failing).toMatchObject({ capacity: 1500, stillRising: false });
    const falling = summarizeCapacity([step(1, 400), step(4, 1500), step(16, 900)]);
    expect(falling).toMatchObject({ capacity: 1500, stillRising: false });
  });

  it('with one step, cannot tell a ceiling: a lower bound', () => {
    expect(summarizeCapacity([step(8, 1000)])).toMatchObject({
      capacity: 1000,
      stillRising: true,
      // Every clean step passed half the capacity: one user, said to be fewer than the step's 8.
      suggestedUsers: { users: 1, measuredRate: 1000, measuredWith: 8 },
    });
  });
});
