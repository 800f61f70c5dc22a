// The app behind the proxy: a Node.js HTTP server named blue or green (argument 1), on port
// RECIPE_PORT + 1 (blue) or + 2 (green), answering as release run/release. It takes a second to
// boot, prints "<name> listening" once it does, and drains at SIGTERM.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const name = process.argv[2];
const port = Number(process.env.RECIPE_PORT) + (name === 'blue' ? 1 : 2);
const release = readFileSync('run/release', 'utf8').trim();
const answer = {
  'content-type': 'text/plain',
  'x-release': release,
  'x-instance': `${name}-${release}`,
};
let stopping = false;
const server = http.createServer((_request, response) => {
  // Each request takes 50 ms of work.
  setTimeout(() => {
    if (stopping) response.setHeader('connection', 'close');
    response.writeHead(200, answer).end('hello\n');
  }, 50);
});
process.on('SIGTERM', () => {
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
setTimeout(() => server.listen(port, '127.0.0.1', () => console.log(`${name} listening`)), 1000);
