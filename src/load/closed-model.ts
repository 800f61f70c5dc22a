import { Client } from 'undici';
import type { Clock } from '../process/clock.ts';
import type { ConnectionKind, Sample } from '../results/sample.ts';
import type { ClosedLoadConfig } from '../scenario/schema.ts';
import { dispatcherOptions, type TargetConnection } from './connection.ts';
import type { InFlight, LoadGenerator } from './load-generator.ts';
import { type RequestOutcome, RequestSender } from './request.ts';
import { DEFAULT_SEED } from './share.ts';
import {
  endpointPicker,
  type PreparedEndpoint,
  type PreparedTraffic,
  prepareTraffic,
} from './traffic.ts';

export interface ClosedModelOptions {
  target: TargetConnection;
  load: ClosedLoadConfig;
  clock: Clock;
  onSample: (sample: Sample) => void;
  /** A connection to the target was opened. */
  onConnection?: () => void;
  /** The number of the first user (one share of several, load/share.ts). */
  firstUser?: number;
}

/**
 * Closed model, like `siege -c N`: N users, each sends a request, waits for the full response or the
 * error, thinks, and sends the next. One keep-alive connection per user (or one per request).
 */
export class ClosedModel implements LoadGenerator {
  private readonly traffic: PreparedTraffic;
  private users: SimulatedUser[] = [];

  constructor(private readonly options: ClosedModelOptions) {
    this.traffic = prepareTraffic(options.load);
  }

  start(): void {
    this.users = Array.from({ length: this.options.load.users }, (_, index) => {
      const number = (this.options.firstUser ?? 0) + index;
      const user = new SimulatedUser(number, this.options, this.traffic);
      user.start();
      return user;
    });
  }

  inFlight(): InFlight {
    let count = 0;
    let oldestStart = Number.POSITIVE_INFINITY;
    for (const user of this.users) {
      const start = user.requestStartedAt();
      if (start === undefined) continue;
      count++;
      if (start < oldestStart) oldestStart = start;
    }
    return count === 0 ? { count } : { count, oldestStart };
  }

  async stop(mode: 'drain' | 'abort'): Promise<void> {
    for (const user of this.users) user.stop(mode);
    await Promise.all(this.users.map((user) => user.finished));
  }
}

/**
 * One user's loop, driven by callbacks rather than an async loop: a request costs the generator a
 * few microseconds of CPU, and a promise and a resumption per request were a measurable part of it
 * (docs/performance.md).
 */
class SimulatedUser {
  readonly finished: Promise<void>;
  private readonly client: Client;
  private readonly sender: RequestSender;
  /** Each user's own sequence of endpoints, seeded by its number: the same whatever the threads. */
  private readonly pickEndpoint: () => PreparedEndpoint;
  private endpoint: PreparedEndpoint;
  private stopping = false;
  /** Told to abort while draining: its request in flight is recorded as failed, not dropped. */
  private cutWhileDraining = false;
  /** Start of the request in flight, on the trial's clock. */
  private startedAt = 0;
  private retried = false;
  /** Responses served on the current connection (see `shouldResend`). */
  private servedOnConnection = 0;
  /** A connection is open now; who answered on it last (instance header, else release). */
  private connected = false;
  private lastAnsweredOnConnection: string | undefined;
  /** The request in flight's connection, as its first try found it, and who had answered on it. */
  private connection: ConnectionKind = 'new';
  private lastAnsweredBefore: string | undefined;
  /** The pending think time or back-off, cut short by a stop. */
  private pause: NodeJS.Timeout | undefined;
  private markFinished: () => void = () => {};

  constructor(
    private readonly index: number,
    private readonly options: ClosedModelOptions,
    traffic: PreparedTraffic,
  ) {
    const { target, load, onConnection } = options;
    this.client = new Client(target.origin, dispatcherOptions(target, load.timeout));
    this.client.on('connect', () => {
      this.servedOnConnection = 0;
      this.connected = true;
      this.lastAnsweredOnConnection = undefined;
      // A connection opened for the request in flight (its first try): the one it was sent on was
      // closing as it was sent (`Connection: close`, `keepAlive: false`), so it is new after all.
      if (this.sender.busy && !this.retried) {
        this.connection = 'new';
        this.lastAnsweredBefore = undefined;
      }
      onConnection?.();
    });
    this.client.on('disconnect', () => {
      this.connected = false;
    });
    this.sender = new RequestSender(this.client, traffic);
    this.pickEndpoint = endpointPicker(traffic, (DEFAULT_SEED + index * 0x9e3779b1) >>> 0);
    this.endpoint = traffic.endpoints[0] as PreparedEndpoint;
    this.finished = new Promise((resolve) => {
      this.markFinished = resolve;
    });
  }

  start(): void {
    this.sendNext();
  }

  /** Start of the request in flight (first try), or undefined while thinking or stopped. */
  requestStartedAt(): number | undefined {
    return this.sender.busy ? this.startedAt : undefined;
  }

  stop(mode: 'drain' | 'abort'): void {
    // Cut while it drained, a request had been waited for: the user saw it fail (a hung target).
    if (mode === 'abort' && this.stopping) this.cutWhileDraining = true;
    this.stopping = true;
    if (mode === 'abort') this.sender.interrupt();
    if (this.pause) {
      clearTimeout(this.pause);
      this.end();
    }
  }

  private readonly sendNext = (): void => {
    this.pause = undefined;
    if (this.stopping) {
      this.end();
      return;
    }
    this.startedAt = this.options.clock.now();
    this.retried = false;
    // Kept alive only if it is still open and already answered: otherwise one is opened for it.
    this.connection = this.connected && this.servedOnConnection > 0 ? 'reused' : 'new';
    this.lastAnsweredBefore = this.lastAnsweredOnConnection;
    this.endpoint = this.pickEndpoint();
    this.sender.send(this.endpoint, this.onOutcome);
  };

  private readonly onOutcome = (outcome: RequestOutcome): void => {
    if (!this.retried && this.shouldResend(outcome)) {
      this.retried = true;
      this.sender.send(this.endpoint, this.onOutcome);
      return;
    }
    if (outcome.kind === 'aborted' && !this.cutWhileDraining) {
      this.end();
      return;
    }
    const { clock, load, onSample } = this.options;
    const user = this.index;
    const t = this.startedAt;
    const latencyMs = clock.now() - t;
    const retried = this.retried;
    const endpoint = this.endpoint.index;
    const { connection } = this;
    let pauseMs = load.thinkTime;
    if (outcome.kind === 'response') {
      this.servedOnConnection++;
      const { status, bytes, release, instance, check } = outcome;
      this.lastAnsweredOnConnection = instance ?? release;
      // Written out twice rather than spread: one object per request on the hot path.
      onSample(
        check
          ? {
              user,
              t,
              latencyMs,
              status,
              bytes,
              retried,
              release,
              instance,
              endpoint,
              connection,
              check,
              error: 'check',
            }
          : { user, t, latencyMs, status, bytes, retried, release, instance, endpoint, connection },
      );
    } else {
      // A kept-alive connection that failed: the instance that last answered on it closed it.
      const by = connection === 'reused' ? this.lastAnsweredBefore : undefined;
      onSample({
        user,
        t,
        latencyMs,
        status: 0,
        error: outcome.kind === 'aborted' ? 'timeout' : outcome.error,
        bytes: 0,
        retried,
        endpoint,
        connection,
        ...(by !== undefined ? { lastAnsweredBy: by } : {}),
      });
      // After an error, back off instead of spinning against a target that refuses.
      pauseMs += load.backoff;
    }
    // A stop during the request: it was recorded, and there is no next one to pause before.
    if (this.stopping) this.end();
    // An error may be reported from within `send` itself: never recurse without a pause.
    else if (pauseMs > 0 || outcome.kind === 'error')
      this.pause = setTimeout(this.sendNext, pauseMs);
    else this.sendNext();
  };

  /**
   * RFC 9112 §9.3.1: an idempotent request that was reset before any response byte, on a kept-alive
   * connection that had already served a response, met the server closing that idle connection; it
   * may be resent at once, and browsers do so: users never see it. It is counted as retried, and its
   * latency includes both tries.
   */
  private shouldResend(outcome: RequestOutcome): boolean {
    return (
      this.endpoint.retryable &&
      outcome.kind === 'error' &&
      outcome.error === 'reset' &&
      !outcome.responseStarted &&
      this.servedOnConnection > 0
    );
  }

  private end(): void {
    this.sender.close();
    this.client
      .destroy()
      .catch(() => {})
      .then(this.markFinished);
  }
}
