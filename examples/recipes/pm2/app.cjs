// A Node.js HTTP server run by pm2 in cluster mode (pm2 shares RECIPE_PORT, 8420 by default, among
// its processes). It reads its release from run/release as it starts, takes a second to boot, and
// drains when pm2 stops it (SIGINT, pm2's default).
const http = require('node:http');
const { readFileSync } = require('node:fs');

const answer = {
  'content-type': 'text/plain',
  'x-release': readFileSync('run/release', 'utf8').trim(),
  'x-instance': `pm2-${process.pid}`,
};
let stopping = false;
const server = http.createServer((_request, response) => {
  // Each request takes 50 ms of work.
  setTimeout(() => {
    if (stopping) response.setHeader('connection', 'close');
    response.writeHead(200, answer).end('hello\n');
  }, 50);
});

process.on('SIGINT', () => {
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});

// A real app loads its code and connects to its services before it listens: here, one second.
setTimeout(() => server.listen(Number(process.env.RECIPE_PORT ?? 8420), '127.0.0.1'), 1000);
