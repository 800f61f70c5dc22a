import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/text/escape.ts';
import { REPO } from '../helpers/scenarios.ts';
import { startHttpServer, type TestServer } from '../helpers/servers.ts';

const BENCH = path.join(REPO, 'bin/bench.js');

/**
 * One real target, two ways to hurt its users, each triggered by a deploy command through a control
 * port: `refuse` closes the port for 2 s (every request fails at once: short transactions, many
 * failures); `stall` holds every answer for 300 ms (no failure). Each control request answers once
 * its outage is over, so the deploy spans it.
 */
class Target {
  private server = http.createServer((_req, res) => {
    const wait = Math.max(0, this.stalledUntil - Date.now());
    setTimeout(() => res.end('ok'), wait);
  });
  private readonly sockets = new Set<Socket>();
  private stalledUntil = 0;
  port = 0;

  async start(): Promise<void> {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async refuse(ms: number): Promise<void> {
    await this.close();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.start();
  }

  async stall(ms: number): Promise<void> {
    this.stalledUntil = Date.now() + ms;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let target: Target;
let control: TestServer;
let dir: string;

beforeAll(async () => {
  target = new Target();
  await target.start();
  control = await startHttpServer((req, res) => {
    const done = () => res.end('done');
    if (req.url === '/refuse') void target.refuse(2000).then(done);
    else void target.stall(300).then(done);
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-verdict-'));
});
afterAll(async () => {
  await control.close();
  await target.close();
});

describe('the verdict on a real target', () => {
  it('names the variant that stalled 300 ms best over the one that refused for 2 s', async () => {
    const call = (what: string) =>
      JSON.stringify(`node -e "fetch('${control.origin}/${what}').then((r) => r.text())"`);
    const scenario = path.join(dir, 'verdict.yaml');
    writeFileSync(
      scenario,
      `name: refuse or stall
target: { url: "http://127.0.0.1:${target.port}/" }
load: { users: 2 }
timeline: { settle: 0s, warmup: 1s, cooldown: 1s }
variants:
  - { name: refuse, command: ${call('refuse')} }
  - { name: stall, command: ${call('stall')} }
`,
    );
    const out = path.join(dir, 'out');
    const run = await execa('node', [BENCH, 'run', scenario, '--out', out], { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const [refuse, stall] = results.variants.map(
      (v: { trials: Record<string, number>[] }) => v.trials[0],
    );
    // What fooled the old verdict: each refusal was short, though users waited through all of them.
    expect(refuse.errors).toBeGreaterThan(10);
    expect(refuse.longestUserWaitMs).toBeGreaterThan(1900);
    expect(refuse.longestTransactionMs).toBeLessThan(refuse.longestUserWaitMs / 4);
    expect(stall.errors).toBe(0);

    const { comparison } = results;
    expect(comparison.best).toBe('stall');
    expect(comparison.rankedBy[0]).toBe('longestUserWaitMs');
    expect(comparison.headline).toMatch(/— stall's longest wait \S+ shorter than refuse's/);
    expect(run.stdout).toContain(comparison.headline);
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain(
      `**${comparison.headline}**`,
    );
    // The page's sentence, with the winner's name set in bold.
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    const shown = /<p class="headline" id="headline">(.*?)<\/p>/.exec(html)?.[1];
    expect(shown).toMatch(/^<span class="best">stall<\/span>: users waited at most /);
    expect(shown?.replace(/<\/?span[^>]*>/g, '')).toBe(escapeHtml(comparison.headline));
  });
});
