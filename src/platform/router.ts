import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstanceDrain } from '../results/recording.ts';

/**
 * The router names the process that answered each response in this header, as a platform's router
 * could: the load then sees every instance, including several processes of one release.
 */
export const INSTANCE_HEADER = 'x-instance';

/** A process the router can send requests to. */
export interface Backend {
  name: string;
  release: string;
  port: number;
}

interface RoutedBackend extends Backend {
  agent: http.Agent;
  inFlight: number;
  /** Called once the backend has no request in flight. */
  idle: (() => void)[];
  /** From its unrouting: its requests then in flight, and what became of them. */
  drain?: {
    unroutedAt: bigint;
    inFlight: number;
    answered: number;
    cut: number;
    gone: number;
    lastAnswer?: bigint;
  };
}

interface Waiter {
  resolve: (backend: RoutedBackend) => void;
  timer: NodeJS.Timeout;
}

/**
 * The embedded platform's router: one HTTP port in front of the app processes. While no process is
 * routable it holds requests, as a PaaS router does, and answers 503 after the router timeout; a request
 * cut off by a process that stops is answered 503 as well.
 */
export class Router {
  private readonly server: http.Server;
  private routable: RoutedBackend[] = [];
  private readonly retired = new Set<RoutedBackend>();
  private readonly waiters: Waiter[] = [];
  private nextIndex = 0;
  /** Told, once a process taken out of rotation has no request left, what became of them. */
  onDrained: (name: string, drain: InstanceDrain) => void = () => {};

  constructor(private readonly timeoutMs: number) {
    this.server = http.createServer((request, response) => this.handle(request, response));
    this.server.keepAliveTimeout = 60_000;
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Starts sending new requests to the backend; requests being held go to it at once. */
  route(backend: Backend): void {
    const routed: RoutedBackend = {
      ...backend,
      agent: new http.Agent({ keepAlive: true }),
      inFlight: 0,
      idle: [],
    };
    this.routable.push(routed);
    while (this.waiters.length > 0) {
      const waiter = this.waiters.shift() as Waiter;
      clearTimeout(waiter.timer);
      waiter.resolve(this.pick() as RoutedBackend);
    }
  }

  /** Sends no new request to the backend; requests it is serving carry on until they end. */
  unroute(name: string): void {
    const backend = this.routable.find((b) => b.name === name);
    if (!backend) return;
    this.routable = this.routable.filter((b) => b !== backend);
    this.retired.add(backend);
    const drain = {
      unroutedAt: process.hrtime.bigint(),
      inFlight: backend.inFlight,
      answered: 0,
      cut: 0,
      gone: 0,
    };
    backend.drain = drain;
    const release = () => {
      backend.agent.destroy();
      this.retired.delete(backend);
      const { lastAnswer } = backend.drain ?? {};
      this.onDrained(name, {
        inFlight: drain.inFlight,
        answered: drain.answered,
        cut: drain.cut,
        gone: drain.gone,
        answeredForMs:
          lastAnswer === undefined ? null : Number(lastAnswer - drain.unroutedAt) / 1e6,
      });
    };
    if (backend.inFlight === 0) release();
    else backend.idle.push(release);
  }

  async close(): Promise<void> {
    for (const waiter of this.waiters.splice(0)) clearTimeout(waiter.timer);
    for (const backend of [...this.routable, ...this.retired]) backend.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pick(): RoutedBackend | undefined {
    if (this.routable.length === 0) return undefined;
    this.nextIndex = (this.nextIndex + 1) % this.routable.length;
    return this.routable[this.nextIndex];
  }

  private waitForBackend(): Promise<RoutedBackend | undefined> {
    const ready = this.pick();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve(undefined);
        }, this.timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private async handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const backend = await this.waitForBackend();
    if (response.destroyed || request.destroyed) return;
    if (!backend) {
      respond(response, 503, `router: no process came up within ${this.timeoutMs} ms\n`);
      return;
    }
    backend.inFlight++;
    let finished = false;
    /** `answered`: the backend's whole response came; `cut`: it failed first; `gone`: the client left. */
    const finish = (how: 'answered' | 'cut' | 'gone') => {
      if (finished) return;
      finished = true;
      const { drain } = backend;
      if (drain && how === 'answered') {
        drain.answered++;
        drain.lastAnswer = process.hrtime.bigint();
      } else if (drain && how === 'cut') drain.cut++;
      else if (drain) drain.gone++;
      backend.inFlight--;
      if (backend.inFlight === 0) for (const resolve of backend.idle.splice(0)) resolve();
    };
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: backend.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
        agent: backend.agent,
      },
      (upstreamResponse) => {
        // The upstream's headers are the router's to change: no copy per response.
        upstreamResponse.headers[INSTANCE_HEADER] = backend.name;
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
        upstreamResponse.once('end', () => finish('answered'));
        upstreamResponse.once('error', () => {
          finish('cut');
          response.destroy();
        });
      },
    );
    upstream.once('error', (error) => {
      finish('cut');
      if (response.headersSent) response.destroy();
      else respond(response, 503, `router: ${backend.name} failed: ${error.message}\n`);
    });
    response.once('close', () => {
      if (!response.writableFinished) upstream.destroy();
      finish('gone');
    });
    request.pipe(upstream);
  }
}

function respond(response: http.ServerResponse, status: number, body: string): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(body);
}
