import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedPlatform } from '../../src/platform/platform.ts';
import { findFreePort } from '../../src/platform/ports.ts';
import type { PlatformConfig } from '../../src/scenario/schema.ts';
import { REPO, SAMPLE_APP } from '../helpers/scenarios.ts';
import { startTcpServer, type TestServer } from '../helpers/servers.ts';

const config = (port: number): PlatformConfig => ({
  app: { command: ['node', SAMPLE_APP], env: { BOOT_MS: '100' } },
  processes: 2,
  port,
  routerTimeout: 30_000,
  stopGrace: 5000,
  bootTimeout: 10_000,
});

const cleanup: (EmbeddedPlatform | TestServer)[] = [];
afterEach(async () => {
  for (const item of cleanup.splice(0))
    await (item instanceof EmbeddedPlatform ? item.stop() : item.close());
});

describe('the embedded platform as a target for other tools', () => {
  it('listens on the fixed port a scenario asks for, and serves the release through the router', async () => {
    const port = await findFreePort();
    const platform = await EmbeddedPlatform.start(config(port), REPO);
    cleanup.push(platform);
    expect(platform.url).toBe(`http://127.0.0.1:${port}`);
    const answers = await Promise.all([1, 2, 3, 4].map(() => fetch(platform.url)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.headers.get('x-release')))).toEqual(new Set(['v1']));
    // Two processes, round-robin: both answer.
    const bodies = await Promise.all(answers.map((a) => a.text()));
    expect(new Set(bodies.map((b) => /pid (\d+)/.exec(b)?.[1])).size).toBe(2);
  });

  it("hands an app a port outside the kernel's ephemeral range, which no other socket can take while it boots", async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await findFreePort());
    expect(new Set(ports).size).toBe(20);
    // Where the range leaves no room below it (some containers start it at 1024), the kernel's
    // choice is all there is.
    const roomBelow = (low as number) - 10_000 >= 1000;
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(roomBelow ? 10_000 : (low as number));
      if (roomBelow) expect(port).toBeLessThan(low as number);
    }
    // Free indeed: a server can listen on it.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
    expect((server.address() as net.AddressInfo).port).toBe(ports[0]);
    await new Promise((resolve) => server.close(resolve));
  });

  it('says so when the port is taken', async () => {
    const taken = await startTcpServer(() => {});
    cleanup.push(taken);
    await expect(EmbeddedPlatform.start(config(taken.port), REPO)).rejects.toThrow(
      `the platform's router cannot listen: port ${taken.port} is already in use`,
    );
  });
});
