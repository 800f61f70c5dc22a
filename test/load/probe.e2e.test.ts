import { afterEach, describe, expect, it } from 'vitest';
import { plainConnection } from '../../src/load/connection.ts';
import { createLoadGenerator } from '../../src/load/create-load-generator.ts';
import { startClock } from '../../src/process/clock.ts';
import { sleep } from '../../src/process/sleep.ts';
import type { Sample } from '../../src/results/sample.ts';
import type { ClosedLoadConfig } from '../../src/scenario/schema.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const load: ClosedLoadConfig = {
  model: 'closed',
  users: 2,
  thinkTime: 10,
  backoff: 75,
  timeout: 5000,
  releaseHeader: 'x-release',
  keepAlive: true,
  probe: 20,
  workers: 1,
  request: { method: 'GET', path: '/', headers: {} },
};

describe('the probe, against a real server', () => {
  it('sends each of its requests on a connection of its own beside the kept-alive users, flagged as its own', async () => {
    /** Per connection the server accepted: the requests on it, and whether they asked to close it. */
    const connections = new Map<object, { requests: number; close: boolean }>();
    const server = await startHttpServer((req, res) => {
      const seen = connections.get(req.socket) ?? { requests: 0, close: false };
      seen.requests++;
      seen.close ||= req.headers.connection === 'close';
      connections.set(req.socket, seen);
      res.end('ok');
    });
    servers.push(server);
    const samples: Sample[] = [];
    const generator = createLoadGenerator({
      target: plainConnection(server.origin),
      load,
      clock: startClock(),
      onSample: (sample) => samples.push(sample),
      onDropped: () => {},
    });
    generator.start();
    await sleep(600);
    await generator.stop('drain');

    const probes = samples.filter((s) => s.probe);
    const users = samples.filter((s) => !s.probe);
    const ownConnections = [...connections.values()].filter((c) => c.close);
    // Every probe request the server answered came on a connection that carried it alone.
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((s) => s.connection === 'new' && s.status === 200)).toBe(true);
    expect(ownConnections.length).toBe(probes.length);
    expect(ownConnections.every((c) => c.requests === 1)).toBe(true);
    // The users kept their connections: one each, many requests on it.
    const kept = [...connections.values()].filter((c) => !c.close);
    expect(kept.length).toBe(load.users);
    expect(kept.reduce((sum, c) => sum + c.requests, 0)).toBe(users.length);
    expect(users.filter((s) => s.connection === 'reused').length).toBe(users.length - load.users);
  });
});
