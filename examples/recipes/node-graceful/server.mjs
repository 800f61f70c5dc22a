// A Node.js HTTP server, run by the embedded platform: PORT and RELEASE come from it, and a stop is
// SIGTERM. ON_SIGTERM says what the server does then:
//   exit   nothing: Node's default, the process dies at once, with requests in flight
//   drain  stop accepting, close idle kept-alive connections, answer what is in flight with
//          `Connection: close`, then exit
import http from 'node:http';

const release = process.env.RELEASE ?? 'dev';
let stopping = false;

const server = http.createServer((_request, response) => {
  // Each request takes 100 ms of work: a request is in flight at any moment of a stop.
  setTimeout(() => {
    // Once stopping, the client is told to take its next request elsewhere.
    if (stopping) response.setHeader('connection', 'close');
    response.writeHead(200, { 'content-type': 'text/plain', 'x-release': release });
    response.end(`hello from ${release}\n`);
  }, 100);
});

if (process.env.ON_SIGTERM === 'drain') {
  process.on('SIGTERM', () => {
    stopping = true;
    // Exits once every connection is closed: the last answer in flight was sent.
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}

// A real app loads its code and connects to its services before it listens: here, one second.
setTimeout(() => server.listen(Number(process.env.PORT), '127.0.0.1'), 1000);
