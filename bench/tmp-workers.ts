// @ts-nocheck
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shareOfLoad } from '../src/load/share.ts';
import { findFreePort } from '../src/platform/ports.ts';
import { sleep } from '../src/process/sleep.ts';
import { startClock } from '../src/trial/clock.ts';
import { prepareMeasuredLoad } from '../src/trial/measured-load.ts';
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
const port = await findFreePort();
const workers = Number(process.argv[2] ?? 1);
writeFileSync(path.join(dir, 'nginx.conf'), `daemon off; worker_processes ${workers}; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000000; keepalive_timeout 60s;
  server { listen 127.0.0.1:${port}; location / { return 200 "ok"; } } }
`);
const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore', detached: true });
await sleep(1000);
const ticks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const nginxPids = () => readFileSync('/proc/' + child.pid + '/task/' + child.pid + '/children', 'utf8').trim().split(/\s+/).map(Number);
const load = { model: 'closed', users: Number(process.argv[3] ?? 64), thinkTime: 0, backoff: 75, timeout: 60000, releaseHeader: 'x-release', workers: 1, request: { method: 'GET', path: '/', headers: {} } };
for (const threads of [1, 2, 1, 2]) {
  const m = await prepareMeasuredLoad({ origin: `http://127.0.0.1:${port}`, share: shareOfLoad(load, 0, 1), threads, recorder: {} });
  const n0 = nginxPids().map(ticks).reduce((a, b) => a + b, 0); const c0 = process.cpuUsage();
  const clock = startClock(); m.start(clock); await sleep(3000); await m.stop('drain');
  const { recording } = await m.finish(clock.now()); const secs = clock.now() / 1000;
  const n1 = nginxPids().map(ticks).reduce((a, b) => a + b, 0); const c = process.cpuUsage(c0);
  console.log(`threads ${threads}: ${Math.round(recording.overall.requests / secs)}/s nginx ${((n1 - n0) / secs).toFixed(0)}% bench ${((c.user + c.system) / 1e4 / secs).toFixed(0)}%`);
  await m.dispose();
}
process.kill(-child.pid, 'SIGTERM');
