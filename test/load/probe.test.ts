import { describe, expect, it } from 'vitest';
import { plainConnection } from '../../src/load/connection.ts';
import { probeLoad } from '../../src/load/probe.ts';
import { shareOfLoad, shareOfShare } from '../../src/load/share.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import type { LoadConfig } from '../../src/scenario/schema.ts';

const closed: LoadConfig = {
  model: 'closed',
  users: 5,
  thinkTime: 0,
  backoff: 75,
  timeout: 1000,
  releaseHeader: 'x-release',
  keepAlive: true,
  probe: 5,
  workers: 1,
  request: { method: 'GET', path: '/', headers: {} },
};
const target = plainConnection('http://127.0.0.1:1');

describe('the probe beside the load', () => {
  it('is sent by the first share alone, over shards and threads', () => {
    for (const [shards, threads] of [
      [1, 1],
      [2, 1],
      [2, 3],
      [4, 2],
    ] as const) {
      const probes = Array.from({ length: shards }, (_, s) => shareOfLoad(closed, s, shards))
        .flatMap((shard) =>
          Array.from({ length: threads }, (_, t) => shareOfShare(shard, t, threads)),
        )
        .map((share) => probeLoad(share.load, target)?.rate ?? 0);
      expect(probes).toEqual([5, ...Array(shards * threads - 1).fill(0)]);
    }
    const open: LoadConfig = {
      ...closed,
      model: 'open',
      rate: 100,
      arrival: 'uniform',
      maxInFlight: 10,
    };
    expect(shareOfLoad(open, 0, 2).load.probe).toBe(5);
    expect(shareOfLoad(open, 1, 2).load.probe).toBe(0);
  });

  it('sends on new connections, evenly spaced, and not at all when the users open their own or it is off', () => {
    expect(probeLoad(closed, target)).toMatchObject({
      model: 'open',
      rate: 5,
      arrival: 'uniform',
      keepAlive: false,
      workers: 1,
      request: closed.request,
    });
    expect(probeLoad({ ...closed, keepAlive: false }, { ...target, keepAlive: false })).toBe(
      undefined,
    );
    expect(probeLoad({ ...closed, probe: 0 }, target)).toBe(undefined);
  });

  it('is 5/s by default, a rate when given one, and off with false', () => {
    const probeOf = (load: string) =>
      parseScenario(
        `name: p\ntarget: { url: "http://127.0.0.1:1/" }\nload: { users: 1${load} }\nvariants: [{ name: a, command: "true" }]\n`,
        'p.yaml',
        {},
      ).load.probe;
    expect(probeOf('')).toBe(5);
    expect(probeOf(', probe: 2/s')).toBe(2);
    expect(probeOf(', probe: 60/m')).toBe(1);
    expect(probeOf(', probe: false')).toBe(0);
  });
});
