import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/platform/ports.ts';
import { REPO, SAMPLE_APP } from '../helpers/scenarios.ts';

const FIXTURE = path.join(REPO, 'test/fixtures/nginx');

interface InstanceJson {
  id: string;
  release: string;
  firstTrafficAt: number;
  lastTrafficAt: number;
  requests: number;
}
// biome-ignore lint/suspicious/noExplicitAny: the rest of a trial is read as it comes
type TrialJson = Record<string, any> & {
  requests: number;
  timeline: { t: number; phase: string }[];
  instances: InstanceJson[];
};
let dir: string;

const sh = (script: string, ...args: string[]) =>
  execFileSync('sh', [path.join(dir, script), ...args], { encoding: 'utf8' });

/** nginx in front of blue and green sample-app backends, all on 127.0.0.1, driven by shell scripts. */
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
  for (const file of readdirSync(FIXTURE))
    copyFileSync(path.join(FIXTURE, file), path.join(dir, file));
  const [nginxPort, bluePort, greenPort] = [
    await findFreePort(),
    await findFreePort(),
    await findFreePort(),
  ];
  writeFileSync(
    path.join(dir, 'ports.env'),
    `BLUE_PORT=${bluePort}\nGREEN_PORT=${greenPort}\nSAMPLE_APP=${SAMPLE_APP}\n`,
  );
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    readFileSync(path.join(dir, 'nginx.conf.template'), 'utf8')
      .replaceAll('__DIR__', dir)
      .replaceAll('__PORT__', String(nginxPort)),
  );
  sh('start-backend.sh', 'blue');
  writeFileSync(
    path.join(dir, 'upstream.conf'),
    `upstream app { server 127.0.0.1:${bluePort}; keepalive 8; }\n`,
  );
  execFileSync('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')]);
  const reset = './start-backend.sh blue && ./switch.sh blue && ./stop-backend.sh green';
  writeFileSync(
    path.join(dir, 'blue-green.yaml'),
    `name: nginx blue-green
target:
  url: http://127.0.0.1:${nginxPort}/
  ready: { timeout: 10s }
load: { users: 4, instanceHeader: x-instance }
timeline: { settle: 300ms, warmup: 1s, cooldown: 1s }
deploy:
  markers:
    - { pattern: "^green is up", phase: up }
    - { pattern: "^switched to green", phase: switched }
    - { pattern: "^blue stopped", phase: stopped }
variants:
  - name: blue-green
    description: start green, switch nginx to it, leave blue running
    command: ./start-backend.sh green && ./switch.sh green
    hooks: { beforeTrial: "${reset}" }
  - name: stop-first
    description: stop blue, then start green (1 s boot) and switch
    command: ./stop-backend.sh blue && BOOT_MS=1000 ./start-backend.sh green && ./switch.sh green
    hooks: { beforeTrial: "${reset}" }
`,
  );
  writeFileSync(
    path.join(dir, 'proxy.yaml'),
    `name: nginx upstream out of rotation
target:
  url: http://127.0.0.1:${nginxPort}/
  ready: { timeout: 10s }
load: { users: 4, instanceHeader: x-instance, request: { path: /once/ } }
timeline: { settle: 300ms, warmup: 1s, cooldown: 1s }
variants:
  - name: stop-in-rotation
    description: blue and green in rotation; blue stopped 1.5 s before nginx is told
    command: ./start-backend.sh green && ./switch.sh both && sleep 0.5 && ./stop-backend.sh blue && sleep 1.5 && ./switch.sh green
    hooks: { beforeTrial: "${reset}" }
  - name: out-then-stop
    description: blue and green in rotation; blue taken out of nginx 1.5 s before it stops
    command: ./start-backend.sh green && ./switch.sh both && sleep 0.5 && ./switch.sh green && sleep 1.5 && ./stop-backend.sh blue
    hooks: { beforeTrial: "${reset}" }
`,
  );
}, 30_000);

afterAll(() => {
  for (const colour of ['blue', 'green']) sh('stop-backend.sh', colour);
  execFileSync('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-s', 'stop']);
});

describe('an nginx blue-green deploy, driven by shell commands', () => {
  it('switching to a started backend fails no request; stopping the live one first does', async () => {
    const out = path.join(dir, 'out');
    const run = await execa(
      'node',
      [path.join(REPO, 'bin/bench.js'), 'run', path.join(dir, 'blue-green.yaml'), '--out', out],
      {
        reject: false,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const [blueGreen, stopFirst] = results.variants.map(
      (v: { trials: TrialJson[] }) => v.trials[0] as TrialJson,
    );

    // Stopping the live backend first fails many requests fast: blue-green is what users preferred.
    expect(results.comparison.best).toBe('blue-green');
    expect(results.comparison.headline).toMatch(
      /— blue-green's longest wait \S+ shorter than stop-first's/,
    );
    expect(blueGreen.errors).toBe(0);
    expect(blueGreen.requests).toBeGreaterThan(100);
    expect(Object.keys(blueGreen.recording.overall.releases).sort()).toEqual(['blue', 'green']);
    // The markers put nginx's progress on the timeline, in order.
    expect(blueGreen.timeline.map((e: { phase: string }) => e.phase)).toEqual([
      'triggered',
      'booting',
      'up',
      'switched',
      'completed',
    ]);

    // Each backend is a lane, named by the header it answers with; nginx's switch moves the traffic.
    const lanes = (trial: TrialJson) => {
      const byRelease = (release: string) =>
        trial.instances.find((i) => i.release === release) as InstanceJson;
      const at = (phase: string) => trial.timeline.find((e) => e.phase === phase)?.t as number;
      return { blue: byRelease('blue'), green: byRelease('green'), at };
    };
    const bg = lanes(blueGreen);
    expect(bg.blue.id).toMatch(/^blue-\d+$/);
    expect(bg.green.id).toMatch(/^green-\d+$/);
    expect(bg.blue.requests + bg.green.requests).toBe(blueGreen.requests);
    // nginx applies a reload a little after the command returns (about 100 ms here): the lanes show
    // when the traffic really moved, once green was up, and that it moved without the hole that
    // stopping blue first leaves (8 ms apart here; a busy machine may spread nginx's handover).
    expect(bg.green.firstTrafficAt).toBeGreaterThan(bg.at('up'));
    const sf = lanes(stopFirst);
    expect(sf.blue.lastTrafficAt).toBeLessThan(sf.green.firstTrafficAt);
    expect(Math.abs(bg.green.firstTrafficAt - bg.blue.lastTrafficAt)).toBeLessThan(
      sf.green.firstTrafficAt - sf.blue.lastTrafficAt,
    );

    expect(stopFirst.errors).toBeGreaterThan(0);
    expect(stopFirst.errorsByKind.http5xx).toBe(stopFirst.errors);
    expect(stopFirst.longestUserWaitMs).toBeGreaterThan(900);
    expect(stopFirst.timeline.map((e: { phase: string }) => e.phase)).toEqual([
      'triggered',
      'booting',
      'stopped',
      'up',
      'switched',
      'completed',
    ]);
    // The hooks' output is kept with the trial, named.
    expect(
      stopFirst.deployLog.some(
        (l: { source?: string; line: string }) =>
          l.source === 'hook beforeTrial' && l.line === 'switched to blue',
      ),
    ).toBe(true);
  });

  it('proxy-without-upstream: an upstream stopped while nginx still sends to it answers 502s in its place; taken out first, none', async () => {
    const out = path.join(dir, 'out-proxy');
    const run = await execa(
      'node',
      [path.join(REPO, 'bin/bench.js'), 'run', path.join(dir, 'proxy.yaml'), '--out', out],
      { reject: false },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const [stopped, drained] = results.variants.map(
      (v: { trials: TrialJson[] }) => v.trials[0] as TrialJson,
    );
    const proxy = stopped.findings.find((f: { id: string }) => f.id === 'proxy-without-upstream');
    expect(proxy?.kind).toBe('fault');
    // nginx's own 502s, which name no backend, while green answered beside them.
    expect(proxy?.evidence.statuses).toMatch(/^502 ×\d+$/);
    expect(proxy?.evidence.requests).toBe(stopped.errorsByKind.http5xx);
    expect(proxy?.seen).toMatch(/while other requests were answered \(by .*green-\d+/);
    expect(run.stdout).toMatch(
      /stop-in-rotation: FAULT a proxy answered 502 ×\d+ in place of an instance/,
    );

    expect(drained.errors).toBe(0);
    expect(drained.findings.filter((f: { kind: string }) => f.kind === 'fault')).toEqual([]);
  });
});
