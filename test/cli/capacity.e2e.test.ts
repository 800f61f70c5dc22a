import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroundTruthServer } from '../../bench/ground-truth.ts';
import { measureCapacity } from '../../src/capacity/measure-capacity.ts';
import { REPO } from '../helpers/scenarios.ts';
import { closedPort } from '../helpers/servers.ts';
import { selfSignedCertificate, startTlsServer } from '../helpers/tls.ts';

let server: GroundTruthServer;
beforeAll(async () => {
  server = await new GroundTruthServer().listen();
  server.delay(10);
});
afterAll(() => server.close());

describe('capacity at steady state', () => {
  it('measures a 10 ms server at about 100 requests/s per connection and suggests half its capacity', async () => {
    const result = await measureCapacity({
      origin: server.origin,
      request: { method: 'GET', path: '/', headers: {} },
      connections: [1, 4],
      durationSeconds: 1,
    });
    const [one, four] = result.steps;
    // No connection answers faster than one request per 10 ms; how much slower depends on the
    // machine (a loaded one starves autocannon between requests), so only the ceiling is a bound.
    for (const [step, connections] of [
      [one, 1],
      [four, 4],
    ] as const) {
      expect(step?.requestsPerSecond).toBeLessThan(connections * 101);
      expect(step?.requestsPerSecond).toBeGreaterThan(0);
      expect(step?.errors).toBe(0);
    }
    const best = Math.max(one?.requestsPerSecond ?? 0, four?.requestsPerSecond ?? 0);
    expect(result.capacity).toBe(best);
    expect(result.suggestedRate).toBe(Math.floor(best / 2));
    expect(result.suggestedUsers.users).toBe(1);
  });

  it('runs from the command line against a URL', async () => {
    const run = await execa(
      'node',
      [
        path.join(REPO, 'bin/bench.js'),
        'capacity',
        `${server.origin}/`,
        '--duration',
        '1s',
        '--connections',
        '2',
      ],
      {
        reject: false,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /Capacity: at least \d+ requests\/s without errors: one step shows no ceiling; try `--connections \d+,\d+`/,
    );
    const bad = await execa(
      'node',
      [path.join(REPO, 'bin/bench.js'), 'capacity', server.origin, '--connections', 'many'],
      { reject: false },
    );
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--connections: expected whole numbers from 1 to 10000/);
    // A duration takes units, as everywhere else; too short a step measures nothing steady.
    const short = await execa(
      'node',
      [path.join(REPO, 'bin/bench.js'), 'capacity', server.origin, '--duration', '500ms'],
      { reject: false },
    );
    expect(short.exitCode).toBe(2);
    expect(short.stderr).toContain(
      '--duration 500ms: expected a duration such as 500ms, 5s, 2m or 1h, from 1s to 10m per step',
    );
  });

  it('of a target that answers nothing: one line and exit code 3, no table of errors', async () => {
    const port = await closedPort();
    const run = await execa(
      'node',
      [path.join(REPO, 'bin/bench.js'), 'capacity', `http://127.0.0.1:${port}/`, '--duration', '1'],
      { reject: false },
    );
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      `bench capacity: http://127.0.0.1:${port}/ did not answer below HTTP 500 within 3.00 s (last attempt: ECONNREFUSED)`,
    );
  });

  it("of a scenario's self-signed https target, measuring its first endpoint and saying so", async () => {
    const certificate = await selfSignedCertificate();
    const tls = await startTlsServer(certificate, (_req, res) => res.writeHead(200).end('ok'));
    try {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-capacity-'));
      const file = path.join(dir, 'tls.yaml');
      writeFileSync(
        file,
        `name: tls
target: { url: "${tls.origin}/", tls: { insecure: true } }
load:
  users: 1
  endpoints: [{ name: home, path: / }, { name: api, path: /api }]
variants: [{ name: a, command: "true" }]
`,
      );
      const run = await execa(
        'node',
        [
          path.join(REPO, 'bin/bench.js'),
          'capacity',
          file,
          '--duration',
          '1',
          '--connections',
          '1',
        ],
        { reject: false },
      );
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toContain('measuring endpoint home, the first of 2');
      expect(run.stdout).toMatch(
        /Capacity: at least \d+ requests\/s without errors: one step shows no ceiling; try `--connections \d+,\d+`/,
      );
    } finally {
      await tls.close();
    }
  });
});
