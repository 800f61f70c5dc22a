import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../src/process/sleep.ts';
import { waitUntilReady } from '../../src/trial/wait-ready.ts';
import { closedPort, startHttpServer, type TestServer } from '../helpers/servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('waiting for an external target', () => {
  it('sees a target that comes up after a while, within a timeout under 5 s', async () => {
    // Nothing listens on the port at first; a server takes it 600 ms later.
    const server = await startHttpServer((_req, res) => res.end('ok'));
    const port = server.port;
    await server.close();
    const later = sleep(600).then(async () => {
      const { default: http } = await import('node:http');
      const up = http.createServer((_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => up.listen(port, '127.0.0.1', resolve));
      servers.push({ origin: '', port, close: () => new Promise((r) => up.close(() => r())) });
    });
    const started = performance.now();
    await waitUntilReady(`http://127.0.0.1:${port}/`, 3000, new AbortController().signal);
    await later;
    expect(performance.now() - started).toBeGreaterThanOrEqual(550);
    // Soon after it came up, not at the 3 s timeout.
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('says what the last attempt met when the target never answers', async () => {
    const port = await closedPort();
    await expect(
      waitUntilReady(`http://127.0.0.1:${port}/`, 600, new AbortController().signal),
    ).rejects.toThrow(/did not answer below HTTP 500 within 600 ms \(last attempt: ECONNREFUSED\)/);
  });

  it('says in words that a target which holds the request never answered in time', async () => {
    // The server takes each request and never answers it.
    const server = await startHttpServer(() => {});
    servers.push(server);
    await expect(
      waitUntilReady(`${server.origin}/`, 400, new AbortController().signal),
    ).rejects.toThrow(/within 400 ms \(last attempt: no answer in time\)$/);
  });
});
