// The trivial keep-alive server the performance benchmark loads: answers "ok" at once. Runs in a
// process of its own so that it does not share an event loop with the generator it measures.
import http from 'node:http';

const server = http.createServer((_request, response) => response.end('ok'));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
// Gone with the benchmark that started it, however that one ended.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
