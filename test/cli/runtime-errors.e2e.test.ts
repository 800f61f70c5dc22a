import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO, SAMPLE_APP } from '../helpers/scenarios.ts';
import { startHttpServer } from '../helpers/servers.ts';

const BENCH = path.join(REPO, 'bin/bench.js');

async function run(scenario: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-runtime-'));
  writeFileSync(path.join(dir, 's.yaml'), scenario);
  return execa('node', [BENCH, 'run', path.join(dir, 's.yaml'), '--out', path.join(dir, 'out')], {
    reject: false,
  });
}

/** Input that only shows itself when the run starts: one clear line and exit code 3, no stack. */
describe('bad input found at run time', () => {
  it('an app command that does not exist', async () => {
    const result = await run(`name: x
target: { platform: { app: { command: [no-such-program-deploy-bench] }, bootTimeout: 5s } }
load: { users: 1 }
variants: [{ name: a, strategy: preboot }]
`);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain(
      'The run failed: the target did not come up: web.1@v1 could not be started: no-such-program-deploy-bench: not found',
    );
    expect(result.stderr).not.toMatch(/\n\s+at \S+ \(/);
  });

  it('an app that crashes at start: the error from its stderr, and no figures for what never ran', async () => {
    const result = await run(`name: x
target: { platform: { app: { command: [node, ./app-not-edited-yet.mjs] }, bootTimeout: 5s } }
load: { users: 1 }
variants: [{ name: a, strategy: preboot }, { name: b, strategy: stop-start }]
`);
    expect(result.exitCode).toBe(3);
    const lines = result.stdout.trim().split('\n');
    // The line that says what is wrong is shown, not only Node's closing version line.
    expect(result.stdout).toMatch(/^ {4}Error: Cannot find module '.*app-not-edited-yet\.mjs'/m);
    expect(lines.at(-1)).toBe(
      'The run failed: the target did not come up: web.1@v1 exited (code 1) before it came up; the last lines of its stderr are above',
    );
    expect(result.stdout).toContain('Nothing was measured: no trial was recorded.');
    expect(result.stdout).not.toContain('Transactions');
  });

  it('a router port already in use', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const result = await run(`name: x
target: { platform: { app: { command: [node, ${JSON.stringify(SAMPLE_APP)}] }, port: ${port} } }
load: { users: 1 }
variants: [{ name: a, strategy: preboot }]
`);
      expect(result.exitCode).toBe(3);
      expect(result.stdout).toContain(
        `The run failed: the target did not come up: the platform's router cannot listen: port ${port} is already in use`,
      );
    } finally {
      taken.close();
    }
  });

  it('a deploy command that is not found', async () => {
    const server = await startHttpServer((_req, res) => res.end('ok'));
    try {
      const result = await run(`name: x
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 200ms, cooldown: 200ms }
variants: [{ name: a, command: no-such-deploy-tool --now }]
`);
      expect(result.exitCode).toBe(3);
      expect(result.stdout).toMatch(
        /Trial 1 failed: deploy command exited with code 127; last output: .*no-such-deploy-tool: (command )?not found/,
      );
    } finally {
      await server.close();
    }
  });
});
