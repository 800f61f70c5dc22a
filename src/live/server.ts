import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXIT, ToolError } from '../errors/tool-error.ts';
import { lanesChart } from '../view/charts/lanes.ts';
import { latencyChart, latencyRange } from '../view/charts/latency.ts';
import { shownNotActedOn } from '../view/charts/report.ts';
import { type ChartSpec, colourOf } from '../view/charts/style.ts';
import type { ServeAddress } from './address.ts';
import { liveRegistry } from './metrics.ts';
import type { LiveModel } from './model.ts';
import { livePage } from './page.ts';

/**
 * How often the page gets the model and its charts: once a second. A browser redraws them in
 * software on a machine without a GPU, and on the load's machine that is what serving costs
 * (docs/performance.md).
 */
const PUSH_EVERY_MS = 1000;
/** Pages followed at once, at most; and what a page may leave unread before frames skip it. */
const MAX_PAGES = 32;
const MAX_UNREAD_BYTES = 1 << 20;

/** `--serve` cannot listen where asked (a port in use, a host not on this machine): exit 2. */
export class ServeError extends ToolError {
  override name = 'ServeError';
  readonly exitCode = EXIT.badInput;
}

/**
 * The live model served over HTTP, read-only: the page (`/`, fed by `/events`), Prometheus'
 * `/metrics`, the gates as a rollout asks them (`/gate`), the model as JSON (`/live.json`), and once
 * the run wrote it, the report (`/report`). Any other method than GET or HEAD is refused (and POST
 * but on /gate, for Flagger's webhooks): no request reaches the run.
 */
export class LiveServer {
  private readonly streams = new Set<ServerResponse>();
  private pusher: NodeJS.Timeout | undefined;
  private readonly page: string;
  private readonly registry;
  /**
   * Time this process spent serving (ms): the synchronous work of frames, snapshots, metrics and
   * answers. An await would let the load's own work run in between, and be counted as serving's.
   */
  private busyMs = 0;

  private constructor(
    private readonly server: Server,
    private readonly model: LiveModel,
    private readonly reportFile: () => string | undefined,
    /** Bound to a loopback address: the Host names a request may give (DNS rebinding). */
    private readonly allowedHosts: ReadonlySet<string> | undefined,
  ) {
    this.page = livePage(model.scenario);
    this.registry = liveRegistry(model, {
      seconds: () => this.busyMs / 1000,
      timed: (work) => this.timed(work),
    });
    server.on('request', (request, response) => {
      this.handle(request, response).catch((error: Error) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`deploy-bench: ${error.message}\n`);
      });
    });
  }

  /** Listens before any load is sent: a port in use stops the command with exit 2. */
  static async start(
    model: LiveModel,
    address: ServeAddress,
    reportFile: () => string | undefined,
    /** A problem once it listens (out of file descriptors): one line, and the run goes on. */
    warn: (line: string) => void = () => {},
  ): Promise<LiveServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const where = `${address.host}:${address.port}`;
        reject(
          new ServeError(
            error.code === 'EADDRINUSE'
              ? `--serve ${where}: the port is in use; name another (--serve 0 picks a free one)`
              : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
                ? `--serve ${where}: no such address on this machine`
                : `--serve ${where}: ${error.message}`,
          ),
        );
      });
      server.listen(address.port, address.host, () => resolve());
    });
    server.on('error', (error) => warn(`--serve: ${error.message}`));
    // A live page keeps its connection open: the server must not hold the process when it closes.
    server.unref();
    return new LiveServer(server, model, reportFile, loopbackHosts(server));
  }

  get url(): string {
    const { address, port, family } = this.server.address() as AddressInfo;
    const host = family === 'IPv6' ? `[${address}]` : address;
    return `http://${host}:${port}/`;
  }

  /** `--serve-after`: the server alone keeps the process up, until it is closed. */
  keepProcessUp(): void {
    this.server.ref();
  }

  /** Sends the model and its charts to every open page now (and at the run's end, its last state). */
  pushNow(): void {
    if (this.streams.size === 0) return;
    const frame = this.timed(() => `data: ${JSON.stringify(this.update())}\n\n`);
    for (const stream of this.streams) {
      // A page that does not read (a sleeping laptop) gets no more frames until it has read
      // these: they would pile up in this process's memory.
      if (stream.writableLength > MAX_UNREAD_BYTES) continue;
      stream.write(frame);
    }
  }

  private timed<T>(work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.busyMs += performance.now() - started;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pusher);
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A page elsewhere that had a name of its own point at 127.0.0.1 (DNS rebinding) reads nothing.
    if (this.allowedHosts && !this.allowedHosts.has((request.headers.host ?? '').toLowerCase())) {
      request.resume();
      response.writeHead(421, { 'content-type': 'text/plain' });
      response.end('misdirected: ask for this address by 127.0.0.1, localhost or [::1]\n');
      return;
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    // Flagger calls its webhooks with POST: /gate answers it as a GET, its body unread.
    const allowed = path === '/gate' ? ['GET', 'HEAD', 'POST'] : ['GET', 'HEAD'];
    request.resume();
    if (!allowed.includes(request.method ?? '')) {
      response.writeHead(405, { allow: allowed.join(', '), 'content-type': 'text/plain' });
      response.end(`read-only: ${allowed.join(' or ')}\n`);
      return;
    }
    switch (path) {
      case '/':
        return send(response, 200, 'text/html; charset=utf-8', this.page);
      case '/events':
        return request.method === 'HEAD'
          ? send(response, 200, 'text/event-stream', '')
          : this.follow(response);
      case '/live.json':
        return send(
          response,
          200,
          'application/json',
          this.timed(() => JSON.stringify(this.model.snapshot())),
        );
      case '/metrics':
        return send(response, 200, this.registry.contentType, await this.registry.metrics());
      case '/gate':
        return this.timed(() => this.gate(response));
      case '/report':
        return this.report(response);
      default:
        return send(
          response,
          404,
          'text/plain',
          'not found: / /events /live.json /metrics /gate /report\n',
        );
    }
  }

  /**
   * The gates on what has been measured so far: 200 while none failed, 412 once one did (for good)
   * and, after the run, unless every gate passed. A rollout's analysis reads either (docs/ci.md).
   */
  private gate(response: ServerResponse): void {
    const live = this.model.snapshot();
    const failed = live.gates.filter((g) => g.status === 'failed');
    const ended = live.state === 'ended';
    const notEvaluated = ended && live.gates.some((g) => g.status === 'not-evaluated');
    const status =
      failed.length > 0
        ? 'failed'
        : live.gates.length === 0
          ? 'no-gates'
          : notEvaluated
            ? 'not-evaluated'
            : ended
              ? 'passed'
              : 'holding';
    const ok = status !== 'failed' && status !== 'not-evaluated';
    const body = {
      ok,
      status,
      ended,
      ...(live.trial ? { variant: live.trial.variant, trial: live.trial.trial } : {}),
      ...(live.trial?.t !== undefined ? { t: live.trial.t } : {}),
      failed: failed.length,
      gates: live.gates,
    };
    send(response, ok ? 200 : 412, 'application/json', `${JSON.stringify(body)}\n`);
  }

  private async report(response: ServerResponse): Promise<void> {
    const file = this.reportFile();
    if (!file) return send(response, 404, 'text/plain', 'no report yet: the run has not ended\n');
    send(response, 200, 'text/html; charset=utf-8', await readFile(file, 'utf8'));
  }

  private follow(response: ServerResponse): void {
    if (this.streams.size >= MAX_PAGES) {
      send(response, 503, 'text/plain', `already ${MAX_PAGES} pages follow this run\n`);
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    this.streams.add(response);
    response.on('close', () => this.streams.delete(response));
    response.write(this.timed(() => `data: ${JSON.stringify(this.update())}\n\n`));
    // One frame for every page, built only while a page follows.
    this.pusher ??= setInterval(() => {
      if (this.streams.size === 0) {
        clearInterval(this.pusher);
        this.pusher = undefined;
        return;
      }
      this.pushNow();
    }, PUSH_EVERY_MS);
    this.pusher.unref();
  }

  private update(): { snapshot: ReturnType<LiveModel['snapshot']>; charts: ChartSpec[] } {
    const snapshot = this.model.snapshot();
    return { snapshot, charts: this.charts(snapshot.trial?.variant) };
  }

  /** The running trial's charts, built by the report's own chart modules. */
  private charts(variant: string | undefined): ChartSpec[] {
    const trial = this.model.trialView();
    if (!trial || variant === undefined) return [];
    const colour = colourOf(Math.max(0, this.model.variantIndex(variant)));
    return shownNotActedOn([
      ...(trial.instances.length > 0 ? [lanesChart(variant, trial, 1, colour)] : []),
      // Latency over time carries the failures too; the rate is a figure above the charts. A third
      // chart would cost the browser a third more to redraw every second.
      latencyChart(variant, [trial], colour, latencyRange([trial])),
    ]);
  }
}

/** The Host names of a server bound to a loopback address; undefined for any other address. */
function loopbackHosts(server: Server): ReadonlySet<string> | undefined {
  const { address, port } = server.address() as AddressInfo;
  const loopback = address === '::1' || address.startsWith('127.');
  if (!loopback) return undefined;
  return new Set(
    ['127.0.0.1', 'localhost', '[::1]', address.includes(':') ? `[${address}]` : address].map(
      (host) => `${host}:${port}`,
    ),
  );
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
