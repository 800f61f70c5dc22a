import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  plainConnection,
  type TargetConnection,
  urlConnection,
} from '../../src/load/connection.ts';
import { createLoadGenerator } from '../../src/load/create-load-generator.ts';
import { endpointPicker, prepareTraffic } from '../../src/load/traffic.ts';
import { startClock } from '../../src/process/clock.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { Recording } from '../../src/results/recording.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import type { LoadConfig, Scenario } from '../../src/scenario/schema.ts';
import { checkCertificate } from '../../src/trial/wait-ready.ts';
import { startCountingServer, startHttpServer, type TestServer } from '../helpers/servers.ts';
import {
  type Certificate,
  selfSignedCertificate,
  startTlsServer,
  type TlsServer,
} from '../helpers/tls.ts';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A scenario's target and load, read as `bench` reads them. */
function scenario(target: string, load: string): Scenario {
  return parseScenario(
    `name: endpoints
target: ${target}
load: ${load}
variants: [{ name: v, command: "true" }]
`,
    'endpoints.yaml',
    {},
  );
}

/**
 * Sends `load` to `target` until `samples` requests were recorded, then stops, letting the requests
 * in flight end: a count, not a time, so that a busy machine gets the same test, only slower.
 */
async function measure(
  target: TargetConnection,
  load: LoadConfig,
  samples: number,
): Promise<Recording> {
  const recorder = new Recorder({
    ...(load.endpoints ? { endpoints: load.endpoints.map((e) => e.name) } : {}),
  });
  const clock = startClock();
  let recorded = 0;
  let reached = () => {};
  const enough = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const generator = createLoadGenerator({
    target,
    // The users' requests alone, as the server counts them (test/load/probe.e2e has the probe's).
    load: { ...load, probe: 0 },
    clock,
    onSample: (sample) => {
      recorder.record(sample);
      if (++recorded === samples) reached();
    },
    onDropped: (t) => recorder.recordDropped(t),
    onConnection: () => recorder.recordConnection(),
  });
  generator.start();
  await enough;
  await generator.stop('drain');
  return recorder.finish(clock.now());
}

describe('picking endpoints by weight', () => {
  const traffic = prepareTraffic(
    scenario(
      '{ url: "http://127.0.0.1:1/" }',
      `{ users: 1, endpoints: [{ name: a, weight: 6, path: /a }, { name: b, weight: 3, path: /b }, { name: c, path: /c }] }`,
    ).load,
  );

  it('follows the weights, and repeats the same sequence from the same seed', () => {
    const pick = endpointPicker(traffic, 42);
    const again = endpointPicker(traffic, 42);
    const other = endpointPicker(traffic, 43);
    const counts = [0, 0, 0];
    const first: number[] = [];
    const second: number[] = [];
    const third: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const index = pick().index as number;
      counts[index] = (counts[index] as number) + 1;
      if (i < 50) {
        first.push(index);
        second.push(again().index as number);
        third.push(other().index as number);
      }
    }
    expect(second).toEqual(first);
    expect(third).not.toEqual(first);
    expect((counts[0] as number) / 20_000).toBeCloseTo(0.6, 1);
    expect((counts[1] as number) / 20_000).toBeCloseTo(0.3, 1);
    expect((counts[2] as number) / 20_000).toBeCloseTo(0.1, 1);
  });

  it('sends the single load.request without recording it per endpoint', () => {
    const single = prepareTraffic(scenario('{ url: "http://127.0.0.1:1/" }', '{ users: 1 }').load);
    const pick = endpointPicker(single, 1);
    expect([pick(), pick()].map((e) => e.index)).toEqual([undefined, undefined]);
  });
});

describe('endpoints and checks against a real server', () => {
  let server: TestServer;
  const paths: string[] = [];
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/error-body') res.writeHead(200).end('{"error":"database unavailable"}');
      else if (req.url === '/missing') res.writeHead(404).end('not here');
      else if (req.url === '/boom') res.writeHead(503).end('down');
      else if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<p>');
      else res.writeHead(200, { 'content-type': 'text/css' }).end('all good');
    });
  });
  afterAll(() => server.close());

  it('sends each endpoint in proportion to its weight and records each on its own', async () => {
    paths.length = 0;
    const { load } = scenario(
      `{ url: "${server.origin}/" }`,
      '{ users: 2, endpoints: [{ name: home, weight: 3, path: /home }, { name: api, path: /api }] }',
    );
    const recording = await measure(plainConnection(server.origin), load, 300);
    const home = paths.filter((p) => p === '/home').length;
    const api = paths.filter((p) => p === '/api').length;
    expect(home + api).toBe(paths.length);
    expect(paths.length).toBeGreaterThanOrEqual(300);
    expect(home / paths.length).toBeGreaterThan(0.65);
    expect(home / paths.length).toBeLessThan(0.85);
    const [homeRecorded, apiRecorded] = recording.endpoints ?? [];
    const requests = (e: typeof homeRecorded) =>
      (e?.phases.before.requests ?? 0) +
      (e?.phases.during.requests ?? 0) +
      (e?.phases.after.requests ?? 0);
    expect(homeRecorded?.name).toBe('home');
    expect(requests(homeRecorded)).toBe(home);
    expect(requests(apiRecorded)).toBe(api);
    expect(recording.overall.requests).toBe(paths.length);
  });

  it('counts a response that fails its check as a failure of kind check, with its first example', async () => {
    const { load } = scenario(
      `{ url: "${server.origin}/" }`,
      `{ users: 1, endpoints: [
          { name: ok, path: /ok, expect: { status: 2xx, body: good, headers: { content-type: "^text/css" } } },
          { name: error-body, path: /error-body, expect: { body: good } },
          { name: missing, path: /missing, expect: { status: [200, 304] } },
          { name: page, path: /page, expect: { headers: { content-type: "^text/css" } } },
          { name: boom, path: /boom, expect: { status: 2xx } },
          { name: no-header, path: /ok, expect: { headers: { x-cache: true } } } ] }`,
    );
    const recording = await measure(plainConnection(server.origin), load, 150);
    const byName = new Map(recording.endpoints?.map((e) => [e.name, e]));
    const failures = (name: string, kind: 'check' | 'failures') => {
      const phases = byName.get(name)?.phases;
      if (!phases) return Number.NaN;
      const pick = (b: (typeof phases)['before']) =>
        kind === 'check' ? b.errors.check : b.failures;
      return pick(phases.before) + pick(phases.during) + pick(phases.after);
    };
    expect(failures('ok', 'failures')).toBe(0);
    for (const name of ['error-body', 'missing', 'page', 'no-header']) {
      expect(failures(name, 'check'), name).toBeGreaterThan(0);
      expect(failures(name, 'failures'), name).toBe(failures(name, 'check'));
    }
    // A 5xx is counted by its status, not as a failed check.
    expect(failures('boom', 'check')).toBe(0);
    expect(failures('boom', 'failures')).toBeGreaterThan(0);
    expect(recording.overall.errors.check).toBe(
      ['error-body', 'missing', 'page', 'no-header'].reduce(
        (n, name) => n + failures(name, 'check'),
        0,
      ),
    );
    const examples = new Map(recording.checkFailures?.map((c) => [c.endpoint, c]));
    expect(examples.get('error-body')).toMatchObject({
      check: 'body contains "good"',
      status: 200,
      body: '{"error":"database unavailable"}',
      count: failures('error-body', 'check'),
    });
    expect(examples.get('missing')).toMatchObject({
      check: 'status 200, 304',
      status: 404,
      body: 'not here',
    });
    expect(examples.get('page')).toMatchObject({
      check: 'header content-type matches /^text/css/',
      body: '<p>',
    });
    expect(examples.get('no-header')).toMatchObject({ check: 'header x-cache present' });
    expect(examples.has('boom')).toBe(false);
  });

  it('keeps 200 bytes of a long body as the example', async () => {
    const long = await startHttpServer((_req, res) => res.writeHead(200).end('x'.repeat(100_000)));
    servers.push(long);
    const { load } = scenario(
      `{ url: "${long.origin}/" }`,
      '{ users: 1, endpoints: [{ name: big, expect: { body: needle } }] }',
    );
    const recording = await measure(plainConnection(long.origin), load, 3);
    expect(recording.checkFailures?.[0]?.body).toBe('x'.repeat(200));
  });
});

describe('connections as users make them', () => {
  it('opens a new connection for every request with keepAlive: false, one per user with it', async () => {
    const server = await startCountingServer();
    servers.push(server);
    const { load: reused } = scenario(`{ url: "${server.origin}/" }`, '{ users: 2 }');
    const keptAlive = await measure(plainConnection(server.origin), reused, 20);
    expect(server.accepted()).toBe(2);
    expect(keptAlive.connections).toBe(2);

    server.reset();
    const fresh = scenario(`{ url: "${server.origin}/" }`, '{ users: 2, keepAlive: false }');
    if (!('url' in fresh.target)) throw new Error('expected a url target');
    const connection = urlConnection(fresh.target, fresh.load, undefined);
    expect(connection.keepAlive).toBe(false);
    const closed = await measure(connection, fresh.load, 30);
    expect(closed.overall.requests).toBeGreaterThan(20);
    expect(server.answered()).toBe(closed.overall.requests);
    expect(server.accepted()).toBe(server.answered());
    expect(closed.connections).toBe(closed.overall.requests);
  });
});

describe('TLS and HTTP/2', () => {
  let certificate: Certificate;
  let tls: TlsServer;
  let h2: TlsServer;
  beforeAll(async () => {
    certificate = await selfSignedCertificate();
    const answer = (_req: unknown, res: { writeHead(s: number): { end(b: string): void } }) =>
      res.writeHead(200).end('ok');
    tls = await startTlsServer(certificate, answer);
    h2 = await startTlsServer(certificate, answer, { http2: true });
  });
  afterAll(async () => {
    await tls.close();
    await h2.close();
  });

  /** The scenario's https target, connected as a trial connects to it. */
  function https(
    server: TlsServer,
    settings: string,
    ca?: string,
  ): { target: TargetConnection; load: LoadConfig } {
    const read = scenario(`{ url: "${server.origin}/", ${settings} }`, '{ users: 1 }');
    if (!('url' in read.target)) throw new Error('expected a url target');
    return { target: urlConnection(read.target, read.load, ca), load: read.load };
  }

  it('refuses a self-signed certificate unless told to trust it: insecure, or its CA', async () => {
    const refused = https(tls, 'tls: {}');
    const untrusted = await measure(refused.target, refused.load, 3);
    expect(untrusted.overall.requests).toBeGreaterThan(0);
    expect(untrusted.overall.failures).toBe(untrusted.overall.requests);

    for (const trusted of [
      https(tls, 'tls: { insecure: true }'),
      https(tls, 'tls: { ca: ca.pem }', certificate.cert),
    ]) {
      const recording = await measure(trusted.target, trusted.load, 3);
      expect(recording.overall.requests).toBeGreaterThan(0);
      expect(recording.overall.failures).toBe(0);
    }
  });

  it('checks the certificate against servername when the URL names an address', async () => {
    const named = https(tls, 'tls: { ca: ca.pem, servername: staging.test }', certificate.cert);
    expect((await measure(named.target, named.load, 3)).overall.failures).toBe(0);
    await checkCertificate(named.target, new AbortController().signal);
  });

  it('refuses, before any load, a certificate the settings do not trust, saying what to set', async () => {
    const wrongName = https(tls, 'tls: { ca: ca.pem, servername: other.test }', certificate.cert);
    await expect(checkCertificate(wrongName.target, new AbortController().signal)).rejects.toThrow(
      /ERR_TLS_CERT_ALTNAME_INVALID.*target\.tls\.servername/,
    );
    const untrusted = https(tls, 'tls: {}');
    await expect(checkCertificate(untrusted.target, new AbortController().signal)).rejects.toThrow(
      /DEPTH_ZERO_SELF_SIGNED_CERT.*target\.tls\.insecure: true/,
    );
  });

  it('refuses an https:// URL whose server speaks plain HTTP, saying to use http://', async () => {
    const plain = await startHttpServer((_req, res) => res.end('ok'));
    servers.push(plain);
    const read = scenario(`{ url: "${plain.origin.replace('http:', 'https:')}/" }`, '{ users: 1 }');
    if (!('url' in read.target)) throw new Error('expected a url target');
    const target = urlConnection(read.target, read.load, undefined);
    await expect(checkCertificate(target, new AbortController().signal)).rejects.toThrow(
      /does not speak TLS \(ERR_SSL_WRONG_VERSION_NUMBER\).*use an http:\/\/ URL/,
    );
  });

  it('speaks HTTP/2 with http2: true, as the server saw it, and HTTP/1.1 without', async () => {
    const two = https(h2, 'tls: { insecure: true }, http2: true');
    const recording = await measure(two.target, two.load, 20);
    expect(recording.overall.failures).toBe(0);
    expect(h2.versions.length).toBe(recording.overall.requests);
    expect(new Set(h2.versions)).toEqual(new Set(['2.0']));

    h2.versions.length = 0;
    const one = https(h2, 'tls: { insecure: true }');
    await measure(one.target, one.load, 3);
    expect(h2.versions.length).toBeGreaterThan(0);
    expect(new Set(h2.versions)).toEqual(new Set(['1.1']));
  });
});
