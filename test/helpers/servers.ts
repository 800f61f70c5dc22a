import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface TestServer {
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with a free port, for ground-truth tests. */
export async function startHttpServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  return listen(server);
}

/** A raw TCP server, for faults HTTP servers do not make (resets, silence). */
export async function startTcpServer(
  onConnection: (socket: net.Socket) => void,
): Promise<TestServer> {
  return listen(net.createServer(onConnection));
}

async function listen(server: net.Server): Promise<TestServer> {
  // Closing must not wait for the connections a fault server keeps open on purpose.
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: the kernel refuses connections to it. */
export async function closedPort(): Promise<number> {
  const server = await startTcpServer(() => {});
  await server.close();
  return server.port;
}

export interface CountingServer extends TestServer {
  /** Connections the server accepted, as its own 'connection' event saw them. */
  accepted(): number;
  /** Requests it answered. */
  answered(): number;
  reset(): void;
}

/** A server that answers 200 "ok" and counts the connections it accepted and the requests it answered. */
export async function startCountingServer(): Promise<CountingServer> {
  let accepted = 0;
  let answered = 0;
  const server = http.createServer((_req, res) => {
    answered++;
    res.writeHead(200).end('ok');
  });
  server.on('connection', () => accepted++);
  const started = await listen(server);
  return {
    ...started,
    accepted: () => accepted,
    answered: () => answered,
    reset: () => {
      accepted = 0;
      answered = 0;
    },
  };
}
