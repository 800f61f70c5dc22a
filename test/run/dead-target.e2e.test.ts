import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH } from '../helpers/scenarios.ts';
import { closedPort } from '../helpers/servers.ts';
import { selfSignedCertificate, startTlsServer, type TlsServer } from '../helpers/tls.ts';

/**
 * A target that answers no request — nothing listening, http:// to a TLS port, an HTTP/1 client to
 * an HTTP/2-only server — must not be measured as a deploy that broke everything (it exited 0 with
 * 100 % failed requests): the run stops after the warm-up, deploys nothing and says what it saw.
 */
describe('bench run against a target that answers nothing', () => {
  let tls: TlsServer;
  let h2only: TlsServer;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-dead-'));
  beforeAll(async () => {
    const certificate = await selfSignedCertificate();
    tls = await startTlsServer(certificate, (_req, res) => res.end('ok'));
    h2only = await startTlsServer(certificate, (_req, res) => res.end('ok'), { http2: 'only' });
  });
  afterAll(async () => {
    await tls.close();
    await h2only.close();
  });

  async function runAgainst(name: string, target: string) {
    const deployed = path.join(dir, `${name}.deployed`);
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `name: ${name}
target: ${target}
load: { users: 2 }
timeline: { settle: 0s, warmup: 500ms, cooldown: 200ms }
variants: [{ name: restart, command: ${JSON.stringify(`touch ${deployed}`)} }]
`,
    );
    const out = path.join(dir, `${name}-out`);
    const run = await execa('node', [BENCH, 'run', file, '--out', out], { reject: false });
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    return { run, results, deployed: existsSync(deployed) };
  }

  it.each([
    ['closed-port', async () => `{ url: "http://127.0.0.1:${await closedPort()}/" }`, /refused/],
    ['http-to-tls', async () => `{ url: "${tls.origin.replace('https:', 'http:')}/" }`, /sent: /],
    [
      'http1-to-h2-only',
      async () => `{ url: "${h2only.origin}/", tls: { insecure: true } }`,
      /sent: /,
    ],
  ])(
    '%s: exit 3, one line of what the warm-up saw, nothing deployed',
    async (name, target, seen) => {
      const { run, results, deployed } = await runAgainst(name, await target());
      expect(run.exitCode, run.stdout + run.stderr).toBe(3);
      expect(deployed).toBe(false);
      const line = /^The run failed: (.*)$/m.exec(run.stdout)?.[1] ?? '';
      expect(line).toMatch(
        /^restart, trial 1: no request succeeded in the 500 ms warm-up \(\d+ sent: .*\): the target must answer, as expected, before its deploy is measured; nothing was deployed$/,
      );
      expect(line).toMatch(seen);
      expect(results.outcome).toBe('failed');
      expect(results.failure).toBe(line);
    },
  );
});
