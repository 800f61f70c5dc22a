// A Node.js cluster: a primary and two workers sharing one port (RECIPE_PORT, 8410 by default).
// The primary replaces its workers with the release in run/release on a signal:
//   SIGHUP   the broken way: every worker stopped, then new ones forked
//   SIGUSR2  the fixed way: one worker at a time, each stopped only once its successor listens
// It prints "<release> ready" once every worker of a release listens; deploy scripts wait for it.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const WORKERS = 2;
const release = () => readFileSync('run/release', 'utf8').trim();

if (cluster.isPrimary) {
  const fork = () =>
    new Promise((resolve) => {
      const worker = cluster.fork();
      worker.once('listening', () => resolve(worker));
    });
  // SIGTERM lets the worker drain (below); the primary goes on once it has exited.
  const stop = (worker) =>
    new Promise((resolve) => {
      worker.once('exit', resolve);
      worker.process.kill('SIGTERM');
    });

  let workers = await Promise.all(Array.from({ length: WORKERS }, fork));
  console.log(`${release()} ready`);

  process.on('SIGHUP', async () => {
    await Promise.all(workers.map(stop));
    workers = await Promise.all(workers.map(fork));
    console.log(`${release()} ready`);
  });
  process.on('SIGUSR2', async () => {
    const next = [];
    for (const old of workers) {
      next.push(await fork());
      await stop(old);
    }
    workers = next;
    console.log(`${release()} ready`);
  });
  process.on('SIGTERM', async () => {
    await Promise.all(workers.map(stop));
    process.exit(0);
  });
} else {
  const answer = {
    'content-type': 'text/plain',
    'x-release': release(),
    'x-instance': `worker-${process.pid}`,
  };
  let stopping = false;
  const server = http.createServer((_request, response) => {
    // Each request takes 50 ms of work.
    setTimeout(() => {
      if (stopping) response.setHeader('connection', 'close');
      response.writeHead(200, answer).end('hello\n');
    }, 50);
  });
  // Drains: stops accepting, closes idle kept-alive connections, answers what is in flight.
  process.on('SIGTERM', () => {
    stopping = true;
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
  // A real app loads its code and connects to its services before it listens: here, one second.
  setTimeout(() => server.listen(Number(process.env.RECIPE_PORT ?? 8410), '127.0.0.1'), 1000);
}
