import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findingsOf } from '../../src/analysis/findings/find.ts';
import type { Finding } from '../../src/analysis/findings/finding.ts';
import { runTrial } from '../../src/trial/run-trial.ts';
import { benchInProcess } from '../helpers/cli.ts';
import { REPO, sampleAppScenario } from '../helpers/scenarios.ts';
import { startHttpServer, startTcpServer, type TestServer } from '../helpers/servers.ts';
import { measuredTrial } from '../helpers/trials.ts';

/**
 * Each finding from a real server that misbehaves that way, and none from its well-behaved twin.
 * The sites are deployed by a command (a request to their control server), as a real deploy script
 * would; the embedded platform's deploys are real processes.
 */
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startHttpServer>[0]): Promise<TestServer> {
  const server = await startHttpServer(handler);
  servers.push(server);
  return server;
}

/**
 * A scenario against `site`, deployed by a request to `control`; what the control server answers is
 * the deploy's output, line by line as it comes (for `extra`'s markers).
 */
function scenarioFile(site: TestServer, control: TestServer, load: string, extra = ''): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-findings-'));
  const deploy = JSON.stringify(
    `node -e "fetch('${control.origin}/').then(async (r) => { for await (const c of r.body) process.stdout.write(c); })"`,
  );
  const file = path.join(dir, 'site.yaml');
  writeFileSync(
    file,
    `name: site
target: { url: "${site.origin}/" }
load:
${load}
timeline: { settle: 0s, warmup: 600ms, cooldown: 800ms }
variants: [{ name: deploy, command: ${deploy} }]
${extra}`,
  );
  return file;
}

async function findingsOfRun(file: string, gate?: string) {
  const out = path.join(path.dirname(file), 'out');
  const run = await benchInProcess([
    'run',
    file,
    '--out',
    out,
    '--export',
    'json,md,html,junit',
    ...(gate ? ['--gate', gate] : []),
  ]);
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  const trial = results.variants[0].trials[0];
  return {
    run,
    findings: trial.findings as Finding[],
    instances: trial.instances as { id: string; drain: Record<string, number | null> | null }[],
    markdown: readFileSync(path.join(out, 'summary.md'), 'utf8'),
    junit: readFileSync(path.join(out, 'junit.xml'), 'utf8'),
  };
}

/**
 * Backends a and b behind a TCP balancer, as kube-proxy or a cloud load balancer is: each new
 * connection goes to the next backend in rotation; one it cannot reach is closed on the client.
 * Each backend answers at once with its name in `x-instance` — or, once told to `hold`, not until it
 * stops, as a request slower than the stop's wait is — and stops either gracefully (it stops
 * listening, answers what is in flight with `Connection: close`, closes its idle kept-alive
 * connections) or abruptly (every connection cut, as an exit does).
 */
async function balancedBackends() {
  const backend = async (name: string) => {
    let stopping = false;
    let held: (() => void)[] | undefined;
    const server = http.createServer((_req, res) => {
      const answer = () => {
        const close = stopping ? { connection: 'close' } : {};
        res.writeHead(200, { 'x-instance': name, ...close }).end('ok');
      };
      if (held) held.push(answer);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({
      origin: '',
      port: 0,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    });
    return {
      port: (server.address() as net.AddressInfo).port,
      hold: () => {
        held = [];
      },
      /** Resolves with the number of requests it was holding: answered, or cut by an abrupt stop. */
      stop: (how: 'graceful' | 'abrupt') =>
        new Promise<number>((resolve) => {
          stopping = true;
          const holding = held?.splice(0) ?? [];
          server.close(() => resolve(holding.length));
          if (how === 'graceful') {
            for (const answer of holding) answer();
            server.closeIdleConnections();
          } else server.closeAllConnections();
        }),
    };
  };
  const [a, b] = [await backend('a'), await backend('b')];
  let rotation = [a, b];
  let next = 0;
  const balancer = await startTcpServer((client) => {
    const upstream = net.connect((rotation[next++ % rotation.length] as typeof a).port);
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  servers.push(balancer);
  return {
    balancer,
    a,
    takeOut: () => {
      rotation = [b];
    },
  };
}

describe('findings from real servers', () => {
  it('broke-after-switch: a release that drops the old asset, and not its twin that keeps it', async () => {
    const site = (keepsOldAsset: boolean) => {
      let deployed = false;
      return {
        deploy: () => {
          deployed = true;
        },
        handler: ((req, res) => {
          if (req.url === '/assets/app.css' && deployed && !keepsOldAsset)
            res.writeHead(404).end('no such asset: app.css (this release serves app.3f2a.css)');
          else res.writeHead(200).end('ok');
        }) as Parameters<typeof startHttpServer>[0],
      };
    };
    const load = `  users: 2
  endpoints:
    - { name: home, path: / }
    - { name: assets, path: /assets/app.css, expect: { status: 2xx } }`;
    const measure = async (keepsOldAsset: boolean) => {
      const { deploy, handler } = site(keepsOldAsset);
      const target = await serve(handler);
      const control = await serve((_req, res) => {
        deploy();
        res.end('deployed');
      });
      return findingsOfRun(
        scenarioFile(target, control, load),
        'deploy.endpoint(assets).findings == 0',
      );
    };

    const broken = await measure(false);
    expect(broken.run.exitCode, broken.run.stderr).toBe(1);
    const [finding] = broken.findings;
    expect(broken.findings.map((f) => f.id)).toEqual(['broke-after-switch']);
    expect(finding?.evidence).toMatchObject({ endpoint: 'assets', check: 'status 2xx' });
    expect(finding?.evidence.failedAfter).toBe(finding?.evidence.after);
    expect(finding?.seen).toMatch(
      /^Endpoint assets failed 0 of \d+ requests before the deploy; after it, (\d+) of \1 \(check ×\1\)\. The first failed check: status 2xx \(status 404, body "no such asset: app\.css/,
    );
    expect(broken.run.stdout).toMatch(/deploy: FAULT endpoint assets broke after the deploy/);
    expect(broken.run.stdout).toMatch(/✗|FAIL/);
    expect(broken.markdown).toContain('**deploy: endpoint assets broke after the deploy');
    expect(broken.junit).toContain(
      'FAULT broke-after-switch: endpoint assets broke after the deploy',
    );

    const twin = await measure(true);
    expect(twin.run.exitCode, twin.run.stderr).toBe(0);
    expect(twin.findings).toEqual([]);
    expect(twin.run.stdout).toContain('deploy: nothing found');
  }, 60_000);

  it('kept-alive-cut: a server that drops its kept-alive sockets mid-answer, and not its twin that closes them with Connection: close', async () => {
    const site = (graceful: boolean) => {
      let deploying = false;
      const sockets = new Set<Socket>();
      /** The old process's connections: those open when the deploy began. */
      let old = new Set<Socket>();
      return {
        deploy: async () => {
          old = new Set(sockets);
          deploying = true;
          await new Promise((resolve) => setTimeout(resolve, 800));
          deploying = false;
        },
        handler: ((req, res) => {
          if (!sockets.has(req.socket)) {
            sockets.add(req.socket);
            req.socket.once('close', () => sockets.delete(req.socket));
          }
          // Headers and a first byte at once, the rest 30 ms later.
          res.writeHead(200, {
            'content-length': '2',
            ...(deploying && graceful ? { connection: 'close' } : {}),
          });
          // The old process goes away while a new one serves new connections: abruptly, each of
          // its kept-alive connections cut at its next request once the first byte is out (as an
          // exit does mid-answer; one cut before any answer is resent unseen); or gracefully, each
          // answer closing its connection.
          if (deploying && !graceful && old.has(req.socket))
            res.write('o', () => req.socket.destroy());
          else {
            res.write('o');
            setTimeout(() => res.end('k'), 30);
          }
        }) as Parameters<typeof startHttpServer>[0],
      };
    };
    const measure = async (graceful: boolean) => {
      const { deploy, handler } = site(graceful);
      const target = await serve(handler);
      const control = await serve((_req, res) => {
        deploy().then(() => res.end('deployed'));
      });
      return findingsOfRun(scenarioFile(target, control, '  users: 4'), 'deploy.findings == 0');
    };

    const abrupt = await measure(false);
    expect(abrupt.run.exitCode, abrupt.run.stderr).toBe(1);
    const cut = abrupt.findings.find((f) => f.id === 'kept-alive-cut');
    expect(cut?.kind).toBe('fault');
    expect(cut?.evidence.reset).toBeGreaterThan(0);
    // New connections were served throughout: they did not fail.
    expect(cut?.evidence.newFailures).toBe(0);
    expect(abrupt.findings.map((f) => f.id)).not.toContain('nothing-up');
    expect(abrupt.run.stdout).toMatch(
      /deploy: FAULT \d+ requests? on kept-alive connections reset/,
    );
    // The table by connection: the kept-alive ones failed, the new ones did not.
    expect(abrupt.run.stdout).toMatch(/deploy\s*│\s*kept-alive connections\s*│\s*\d+\s*│\s*[1-9]/);
    expect(abrupt.run.stdout).toMatch(
      /deploy\s*│\s*new connections \(incl\. \d+ probe requests\)\s*│\s*\d+\s*│\s*0\s*│/,
    );
    expect(abrupt.run.stdout).toContain('Probe requests (load.probe): a few a second beside the');
    expect(abrupt.markdown).toContain('#### By connection');

    const twin = await measure(true);
    expect(twin.run.exitCode, twin.run.stderr).toBe(0);
    expect(twin.findings).toEqual([]);
  }, 60_000);

  it('mixed-releases: two releases answering side by side through a rolling deploy, and not a clean switch', async () => {
    const site = (rolling: boolean) => {
      let state: 'v1' | 'both' | 'v2' = 'v1';
      let next = 0;
      return {
        deploy: async () => {
          if (rolling) {
            // 2.5 s: whatever the alignment, it spans two 1 s intervals at least (0.8 s once fell
            // within one, which a clean switch may do too).
            state = 'both';
            await new Promise((resolve) => setTimeout(resolve, 2500));
          }
          state = 'v2';
        },
        handler: ((_req, res) => {
          const release = state === 'both' ? (next++ % 2 === 0 ? 'v1' : 'v2') : state;
          res.writeHead(200, { 'x-release': release }).end('ok');
        }) as Parameters<typeof startHttpServer>[0],
      };
    };
    const measure = async (rolling: boolean) => {
      const { deploy, handler } = site(rolling);
      const target = await serve(handler);
      const control = await serve((_req, res) => {
        deploy().then(() => res.end('deployed'));
      });
      return findingsOfRun(
        scenarioFile(target, control, '  users: 2\n  releaseHeader: x-release'),
        'deploy.findings == 0',
      );
    };

    const rolled = await measure(true);
    // Information, not a fault: the findings gate holds.
    expect(rolled.run.exitCode, rolled.run.stderr).toBe(0);
    expect(rolled.findings.map((f) => [f.id, f.kind])).toEqual([['mixed-releases', 'info']]);
    const [mixed] = rolled.findings;
    expect(mixed?.evidence.releases).toBe('v1 and v2');
    // Both answered in the intervals the server alternated them: two at least.
    expect(mixed?.evidence.intervals).toBeGreaterThanOrEqual(2);
    expect(rolled.run.stdout).toMatch(/deploy: info releases v1 and v2 both answered for/);

    const switched = await measure(false);
    expect(switched.findings).toEqual([]);
  }, 60_000);

  it('nothing-up: a stop-start behind a router that times out names its 503s, and preboot has none', async () => {
    const measure = async (strategy: string) => {
      const loaded = sampleAppScenario({
        strategy,
        bootMs: 1500,
        users: 1,
        platform: '    routerTimeout: 400ms',
      });
      const variant = loaded.scenario.variants[0];
      if (!variant) throw new Error('no variant');
      const result = measuredTrial(
        await runTrial({ loaded, variant, trial: 1, signal: new AbortController().signal }),
      );
      return { result, findings: findingsOf(result.recording) };
    };

    const stopStart = await measure('stop-start');
    const [nothingUp] = stopStart.findings;
    expect(stopStart.findings.map((f) => f.id)).toEqual(['nothing-up']);
    const lives = stopStart.result.recording.lifecycle ?? [];
    const [old, fresh] = lives;
    // The gap is the platform's own record: from the old process's unrouting to the new one's routing.
    expect(nothingUp?.evidence).toMatchObject({
      source: 'platform',
      lengthMs: (fresh?.routedAt as number) - (old?.unroutedAt as number),
    });
    expect(nothingUp?.evidence.lengthMs).toBeGreaterThanOrEqual(1400);
    // The router answered 503 to the requests it held for its timeout: the users felt it as that.
    expect(nothingUp?.evidence.failedAs).toMatch(/^503 ×\d+$/);
    expect(nothingUp?.seen).toMatch(
      /\(web\.1@v1 was taken out of rotation; web\.1@v2 was routed to only then\)\. \d+ of the \d+ requests sent in it failed \(503 ×\d+\)/,
    );

    const preboot = await measure('preboot');
    expect(preboot.findings.filter((f) => f.kind === 'fault')).toEqual([]);
  }, 60_000);

  it('not-ready-when-routed: a release routed as soon as its port accepts answers 503 while it warms, and not its twin routed once its readiness path says so', async () => {
    const measure = async (readiness: boolean) => {
      const loaded = sampleAppScenario({
        strategy: 'preboot',
        bootMs: 0,
        users: 2,
        app: path.join(REPO, 'test/fixtures/apps/warming-app.mjs'),
        extraEnv: { WARM_MS: '1500' },
        platform: readiness ? '    readiness: { path: /ready }' : '',
        // Long enough to see it warm: one that never serves is broken, not cold.
        timeline: '{ warmup: 1s, cooldown: 3s }',
      });
      const variant = loaded.scenario.variants[0];
      if (!variant) throw new Error('no variant');
      const result = measuredTrial(
        await runTrial({ loaded, variant, trial: 1, signal: new AbortController().signal }),
      );
      return findingsOf(result.recording);
    };

    const routedAtOnce = await measure(false);
    const cold = routedAtOnce.find((f) => f.id === 'not-ready-when-routed');
    expect(cold?.kind).toBe('fault');
    expect(cold?.evidence).toMatchObject({ instances: 'web.1@v2', fine: 'web.1@v1' });
    expect(cold?.evidence.troubled).toBeGreaterThanOrEqual(2);
    expect(cold?.seen).toMatch(
      /^web\.1@v2 failed or took over [\d.]+ m?s on \d+ of its answers in its first 10\.00 s, between .* after the trigger, while web\.1@v1 answered without trouble\.$/,
    );

    const routedWhenReady = await measure(true);
    expect(routedWhenReady.filter((f) => f.kind === 'fault')).toEqual([]);
  }, 60_000);

  it('routed-to-stopped: a balancer that still sends new connections to a backend that stopped listening, and not its twin that takes the backend out first', async () => {
    const site = async (takeOutFirst: boolean) => {
      const { balancer, a, takeOut } = await balancedBackends();
      return {
        balancer,
        deploy: async () => {
          // Stopped before it is out of rotation, the gap a deregistration delay closes; or the
          // other way round.
          if (takeOutFirst) takeOut();
          else void a.stop('graceful');
          await new Promise((resolve) => setTimeout(resolve, 1500));
          if (takeOutFirst) await a.stop('graceful');
          else takeOut();
        },
      };
    };
    const measure = async (takeOutFirst: boolean) => {
      const { balancer, deploy } = await site(takeOutFirst);
      const control = await serve((_req, res) => {
        deploy().then(() => res.end('deployed'));
      });
      return findingsOfRun(
        scenarioFile(balancer, control, '  users: 4\n  instanceHeader: x-instance\n  probe: 20/s'),
        'deploy.findings == 0',
      );
    };

    const stoppedFirst = await measure(false);
    expect(stoppedFirst.run.exitCode, stoppedFirst.run.stderr).toBe(1);
    const routed = stoppedFirst.findings.find((f) => f.id === 'routed-to-stopped');
    expect(routed?.kind).toBe('fault');
    expect(routed?.seen).toMatch(/while other requests were answered \(by (a, b|b, a|b)\)/);
    expect(stoppedFirst.findings.map((f) => f.id)).not.toContain('nothing-up');

    const twin = await measure(true);
    expect(twin.run.exitCode, twin.run.stderr).toBe(0);
    expect(twin.findings).toEqual([]);
  }, 60_000);

  it('in-flight-cut, on a target the command driver deploys: a backend that exits with POSTs in flight once a marker says it was told to stop, and not its twin that answers them', async () => {
    const measure = async (how: 'graceful' | 'abrupt') => {
      const { balancer, a, takeOut } = await balancedBackends();
      let heldAtStop = 0;
      const control = await serve(async (_req, res) => {
        // Out of rotation, its requests slower than the stop's wait: in flight when it is told to
        // stop, and still when the stop comes, half a second after the marker (read by then on
        // any machine).
        takeOut();
        a.hold();
        res.write('stopping a\n');
        await new Promise((resolve) => setTimeout(resolve, 500));
        heldAtStop = await a.stop(how);
        res.end('a stopped\n');
      });
      const run = await findingsOfRun(
        scenarioFile(
          balancer,
          control,
          // POSTs: a client does not resend one that a closing connection cut, as it may a GET.
          // No probe: the users' four connections go to a, b, a, b.
          '  users: 4\n  probe: false\n  instanceHeader: x-instance\n  request: { method: POST, path: / }',
          'deploy: { markers: [{ pattern: "^stopping (?P<instance>\\\\S+)$", phase: stopping }] }\n',
        ),
        'deploy.findings == 0',
      );
      return { ...run, heldAtStop };
    };

    const abrupt = await measure('abrupt');
    expect(abrupt.run.exitCode, abrupt.run.stderr).toBe(1);
    const cut = abrupt.findings.find((f) => f.id === 'in-flight-cut');
    expect(cut?.kind).toBe('fault');
    expect(cut?.evidence.instances).toBe('a');
    expect(cut?.seen).toMatch(/^a was serving 2 requests when it was told to stop \(/);
    // The truth: the balancer gave a two of the four users' connections, each with one request in
    // flight at the marker. a held those that came after its hold until the stop cut them; one it
    // answered just before the hold may reach the user just after the marker, and that user's next
    // request, sent after the marker on the same connection, is held and cut too (not one of the
    // two). So at least one of the two was cut, and at most as many as a held.
    const drainOfA = (run: typeof abrupt) => run.instances.find((i) => i.id === 'a')?.drain;
    expect(abrupt.heldAtStop).toBeGreaterThan(0);
    const drain = drainOfA(abrupt);
    expect(drain).toMatchObject({ inFlight: 2, gone: 0 });
    expect((drain?.answered ?? 0) + (drain?.cut ?? 0)).toBe(2);
    expect(drain?.cut).toBeGreaterThanOrEqual(1);
    expect(drain?.cut).toBeLessThanOrEqual(abrupt.heldAtStop);

    const graceful = await measure('graceful');
    expect(graceful.run.exitCode, graceful.run.stderr).toBe(0);
    expect(graceful.findings).toEqual([]);
    expect(drainOfA(graceful)).toMatchObject({ inFlight: 2, answered: 2, cut: 0, gone: 0 });
    // Answered at the stop, which came after the line was read.
    expect(drainOfA(graceful)?.answeredForMs).toBeGreaterThan(0);
  }, 60_000);
});
