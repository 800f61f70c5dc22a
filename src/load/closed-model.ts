import { Client } from 'undici';
import { sleep } from '../process/sleep.ts';
import type { ClosedLoadConfig } from '../scenario/schema.ts';
import type { Clock } from '../trial/clock.ts';
import type { LoadGenerator } from './load-generator.ts';
import { InFlightRequests, type PreparedRequest, prepareRequest, sendRequest } from './request.ts';
import type { Sample } from './sample.ts';

/** Methods a client may resend without asking (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export interface ClosedModelOptions {
  /** Origin of the target, e.g. http://127.0.0.1:8080 */
  origin: string;
  load: ClosedLoadConfig;
  clock: Clock;
  onSample: (sample: Sample) => void;
}

/**
 * Closed model, like `siege -c N`: N users, each sends a request, waits for the full response or the
 * error, thinks, and sends the next. One keep-alive connection per user.
 */
export class ClosedModel implements LoadGenerator {
  private readonly stopController = new AbortController();
  private readonly inFlightRequests = new InFlightRequests();
  private readonly request: PreparedRequest;
  private users: Promise<void>[] = [];

  constructor(private readonly options: ClosedModelOptions) {
    this.request = prepareRequest(options.load);
  }

  start(): void {
    const { users } = this.options.load;
    this.users = Array.from({ length: users }, (_, user) => this.runUser(user));
  }

  async stop(mode: 'drain' | 'abort'): Promise<void> {
    this.stopController.abort();
    if (mode === 'abort') this.inFlightRequests.abortAll();
    await Promise.all(this.users);
  }

  private async runUser(user: number): Promise<void> {
    const { origin, load, clock, onSample } = this.options;
    const client = new Client(origin, {
      pipelining: 1,
      connect: { timeout: load.timeout },
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const stopping = this.stopController.signal;
    // Responses served on the current connection: a reset on a connection that has served before is
    // the keep-alive race of a server closing an idle connection just as the request went out.
    let servedOnConnection = 0;
    client.on('connect', () => {
      servedOnConnection = 0;
    });
    const retryable = IDEMPOTENT.has(load.request.method);
    try {
      while (!stopping.aborted) {
        const t = clock.now();
        let outcome = await sendRequest(client, this.request, this.inFlightRequests);
        // RFC 9112 §9.3.1: an idempotent request that failed that way may be resent at once, and
        // browsers do so: users never see it. It is counted as retried; its latency includes both.
        const retried =
          retryable &&
          outcome.kind === 'error' &&
          outcome.error === 'reset' &&
          !outcome.responseStarted &&
          servedOnConnection > 0;
        if (retried) outcome = await sendRequest(client, this.request, this.inFlightRequests);
        if (outcome.kind === 'aborted') break;
        const latencyMs = clock.now() - t;
        const extra = retried ? { retried: true } : {};
        if (outcome.kind === 'response') {
          servedOnConnection++;
          const { status, bytes, release } = outcome;
          onSample({
            user,
            t,
            latencyMs,
            status,
            bytes,
            ...extra,
            ...(release !== undefined ? { release } : {}),
          });
        } else {
          onSample({ user, t, latencyMs, status: 0, error: outcome.error, bytes: 0, ...extra });
          // After an error, back off instead of spinning against a target that refuses.
          await sleep(load.backoff, stopping);
        }
        if (load.thinkTime > 0) await sleep(load.thinkTime, stopping);
      }
    } finally {
      await client.destroy().catch(() => {});
    }
  }
}
