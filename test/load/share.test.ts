import { describe, expect, it } from 'vitest';
import { arrivalTimes } from '../../src/load/arrivals.ts';
import { type LoadShare, shareOfLoad, shareOfShare } from '../../src/load/share.ts';
import type { LoadConfig } from '../../src/scenario/schema.ts';

const common = {
  timeout: 1000,
  releaseHeader: 'x-release',
  keepAlive: true,
  probe: 0,
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
    // The generator's own schedule for each share, over the first second.
    const schedule = (share: LoadShare) =>
      share.load.model === 'open'
        ? [
            ...arrivalTimes({
              ...share.load,
              seed: share.seed,
              offsetMs: share.arrivalOffsetMs,
              untilMs: 1000 - 1e-9,
            }),
          ].map((t) => Number(t.toFixed(6)))
        : [];
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
