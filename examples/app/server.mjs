// The sample app the embedded platform deploys: a plain Node HTTP server that behaves like a real
// release on a PaaS. All settings come from the environment (the platform sets PORT and RELEASE):
//   BOOT_MS        time spent "booting" before it listens (loading code, warming up)       default 3000
//   WORK_MS        time each request takes                                                  default 0
//   COLD_REQUESTS  number of first requests after boot that are slow (cold caches)          default 0
//   COLD_MS        extra time each of those cold requests takes                             default 0
//   READY_PATH     path answering 200 once up, for readiness checks                         default /health
//   RELEASE        release id, sent back in the x-release header                            default dev
//   INSTANCE       this process's name, sent back in the x-instance header (a pod or dyno)  default RELEASE-pid
import http from 'node:http';

const env = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`sample app: ${name} must be a number of milliseconds >= 0, got "${raw}"`);
    process.exit(2);
  }
  return value;
};

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('sample app: PORT must be set to a port number');
  process.exit(2);
}
const bootMs = env('BOOT_MS', 3000);
const workMs = env('WORK_MS', 0);
let coldRequestsLeft = env('COLD_REQUESTS', 0);
const coldMs = env('COLD_MS', 0);
const readyPath = process.env.READY_PATH || '/health';
const release = process.env.RELEASE || 'dev';
const instance = process.env.INSTANCE || `${release}-${process.pid}`;
const headers = { 'content-type': 'text/plain', 'x-release': release, 'x-instance': instance };

const server = http.createServer((request, response) => {
  if (request.url === readyPath) {
    response.writeHead(200, headers);
    response.end('ok\n');
    return;
  }
  let delay = workMs;
  if (coldRequestsLeft > 0) {
    coldRequestsLeft--;
    delay += coldMs;
  }
  const answer = () => {
    response.writeHead(200, headers);
    response.end(`hello from release ${release} (pid ${process.pid})\n`);
  };
  if (delay > 0) setTimeout(answer, delay);
  else answer();
});

// Graceful shutdown: stop accepting, let requests in flight finish, close idle keep-alive sockets.
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});

// Booting: the port stays closed until the release is ready, as on a real platform.
setTimeout(() => {
  if (stopping) process.exit(0);
  server.listen(port, '127.0.0.1');
}, bootMs);
