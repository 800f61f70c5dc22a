import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A target whose behaviour is known exactly, to check what deploy-bench reports against it: a fixed
 * delay per request, a stall of a known length, refused connections for a known time, or exactly N
 * connections reset.
 */
export class GroundTruthServer {
  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  private delayMs = 0;
  private stallUntil = 0;
  private resetsLeft = 0;
  port = 0;

  constructor() {
    this.server = this.create();
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Every response takes this long. */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** From now, requests are held until `ms` from now; answered then, all at once. */
  stall(ms: number): void {
    this.stallUntil = performance.now() + ms;
  }

  /** The next `count` requests get their connection reset instead of an answer. */
  resetNext(count: number): void {
    this.resetsLeft = count;
  }

  /** Stops listening for `ms` (connections are refused), then listens on the same port again. */
  async refuseFor(ms: number): Promise<void> {
    await this.closeServer();
    this.server = this.create();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.listen();
  }

  async close(): Promise<void> {
    await this.closeServer();
  }

  private create(): http.Server {
    const server = http.createServer((request, response) => {
      if (this.resetsLeft > 0) {
        this.resetsLeft--;
        request.socket.resetAndDestroy();
        return;
      }
      const received = performance.now();
      const until = Math.max(received + this.delayMs, this.stallUntil);
      answerAt(until, () => response.end('ok'));
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private closeServer(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Timers fire a millisecond or so late: sleep until just before, then yield to I/O until it is time. */
function answerAt(until: number, answer: () => void): void {
  const left = until - performance.now();
  if (left <= 0) answer();
  else if (left > 2) setTimeout(() => answerAt(until, answer), left - 2);
  else setImmediate(() => answerAt(until, answer));
}
