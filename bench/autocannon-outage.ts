// Reproduces why deploy-bench measures with its own closed model on undici rather than autocannon
// across an outage (docs/decisions/0001-closed-model-on-undici.md). Run:
//   npx tsx bench/autocannon-outage.ts
// A trivial server answers at once, refuses connections for exactly 1 s, then answers again. Each
// tool runs with one connection / one user for 4 s; we print what each reports per response.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { ClosedModel } from '../src/load/closed-model.ts';
import { plainConnection } from '../src/load/connection.ts';
import { startClock } from '../src/process/clock.ts';
import { sleep } from '../src/process/sleep.ts';
import type { Sample } from '../src/results/sample.ts';

const REFUSE_AT = 1000;
const REFUSE_FOR = 1000;
const DURATION = 4000;

async function flakyServer(): Promise<{ origin: string; close: () => void }> {
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  setTimeout(() => {
    server.close();
    server.closeAllConnections();
    setTimeout(() => server.listen(port, '127.0.0.1'), REFUSE_FOR);
  }, REFUSE_AT);
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

interface Observed {
  before: number[];
  after: number[];
  errors: number;
}

function observe(observed: Observed, t: number, latencyMs: number) {
  if (t < REFUSE_AT) observed.before.push(latencyMs);
  else if (t > REFUSE_AT + REFUSE_FOR) observed.after.push(latencyMs);
}

async function withAutocannon(): Promise<Observed> {
  const server = await flakyServer();
  const observed: Observed = { before: [], after: [], errors: 0 };
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      { url: server.origin, connections: 1, duration: DURATION / 1000 },
      (error) => (error ? reject(error) : resolve()),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) =>
      observe(observed, performance.now() - t0, responseTime),
    );
    instance.on('reqError', () => observed.errors++);
  });
  server.close();
  return observed;
}

async function withClosedModel(): Promise<Observed> {
  const server = await flakyServer();
  const observed: Observed = { before: [], after: [], errors: 0 };
  const model = new ClosedModel({
    target: plainConnection(server.origin),
    clock: startClock(),
    load: {
      model: 'closed',
      users: 1,
      thinkTime: 0,
      timeout: 60_000,
      backoff: 75,
      releaseHeader: 'x-release',
      keepAlive: true,
      probe: 0,
      workers: 1,
      request: { method: 'GET', path: '/', headers: {} },
    },
    onSample: (s: Sample) => {
      if (s.status === 0) observed.errors++;
      else observe(observed, s.t, s.latencyMs);
    },
  });
  model.start();
  await sleep(DURATION);
  await model.stop('drain');
  server.close();
  return observed;
}

function report(name: string, o: Observed) {
  const max = (values: number[]) => (values.length > 0 ? Math.max(...values) : 0);
  const first = o.after.slice(0, 5).map((v) => v.toFixed(1));
  console.log(`${name}`);
  console.log(
    `  before the outage: ${o.before.length} responses, max ${max(o.before).toFixed(1)} ms`,
  );
  console.log(
    `  after the outage:  ${o.after.length} responses, first ${first.join(', ')} ms; max ${max(o.after).toFixed(1)} ms`,
  );
  console.log(`  errors during the ${REFUSE_FOR} ms outage: ${o.errors}`);
}

const version = JSON.parse(readFileSync('node_modules/autocannon/package.json', 'utf8')).version;
report(`autocannon ${version}, 1 connection`, await withAutocannon());
report('deploy-bench closed model, 1 user', await withClosedModel());
