import { describe, expect, it } from 'vitest';
import { type LoadShare, shareOfLoad, shareOfShare } from '../../src/load/share.ts';
import type { LoadConfig } from '../../src/scenario/schema.ts';

const common = {
  timeout: 1000,
  releaseHeader: 'x-release',
  workers: 1,
  request: { method: 'GET' as const, path: '/', headers: {} },
};

/** Every share of `shards` shards × `threads` threads, as a sharded run with workers makes them. */
function allShares(load: LoadConfig, shards: number, threads: number): LoadShare[] {
  return Array.from({ length: shards }, (_, s) => shareOfLoad(load, s, shards)).flatMap((shard) =>
    Array.from({ length: threads }, (_, t) => shareOfShare(shard, t, threads)),
  );
}

describe('shares of the load', () => {
  it('deals the users out once each, numbered apart, over shards and threads', () => {
    const load: LoadConfig = { model: 'closed', users: 7, thinkTime: 0, backoff: 75, ...common };
    for (const [shards, threads] of [
      [1, 1],
      [2, 1],
      [2, 2],
      [3, 2],
      [7, 1],
    ] as const) {
      const users = allShares(load, shards, threads).flatMap((share) =>
        Array.from(
          { length: share.load.model === 'closed' ? share.load.users : 0 },
          (_, i) => share.firstUser + i,
        ),
      );
      expect(users.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    }
  });

  it('interleaves evenly spaced arrivals into exactly the schedule of one generator', () => {
    const load: LoadConfig = {
      model: 'open',
      rate: 120,
      arrival: 'uniform',
      maxInFlight: 100,
      ...common,
    };
    const schedule = (share: LoadShare) => {
      const gap = 1000 / (share.load.model === 'open' ? share.load.rate : 1);
      const times: number[] = [];
      for (let t = share.arrivalOffsetMs; t < 1000 - 1e-9; t += gap)
        times.push(Number(t.toFixed(6)));
      return times;
    };
    const one = schedule(shareOfLoad(load, 0, 1));
    expect(one).toHaveLength(120);
    for (const [shards, threads] of [
      [2, 1],
      [2, 2],
      [4, 2],
      [3, 4],
    ] as const) {
      const shares = allShares(load, shards, threads);
      const times = shares.flatMap(schedule).sort((a, b) => a - b);
      expect(times).toEqual(one);
      // Poisson arrivals get a seed of their own in every share.
      expect(new Set(shares.map((s) => s.seed)).size).toBe(shares.length);
    }
  });
});
