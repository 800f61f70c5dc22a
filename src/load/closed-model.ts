import { Client } from 'undici';
import { sleep } from '../process/sleep.ts';
import type { LoadConfig } from '../scenario/schema.ts';
import type { Clock } from '../trial/clock.ts';
import { classifyError } from './classify-error.ts';
import type { Sample } from './sample.ts';

export interface ClosedModelOptions {
  /** Origin of the target, e.g. http://127.0.0.1:8080 */
  origin: string;
  load: LoadConfig;
  clock: Clock;
  onSample: (sample: Sample) => void;
}

/** Raised by our own per-request timer, so the error is told apart from a stop of the run. */
class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

/**
 * Closed model, like `siege -c N`: N users, each sends a request, waits for the full response or the
 * error, thinks, and sends the next. One keep-alive connection per user.
 */
export class ClosedModel {
  private readonly stopController = new AbortController();
  private readonly abortController = new AbortController();
  private users: Promise<void>[] = [];

  constructor(private readonly options: ClosedModelOptions) {}

  start(): void {
    const { users } = this.options.load;
    this.users = Array.from({ length: users }, (_, user) => this.runUser(user));
  }

  /**
   * Stops sending. With `abort`, requests in flight are cut and not recorded (the run is being
   * interrupted); otherwise they are awaited and recorded, bounded by the request timeout.
   */
  async stop(mode: 'drain' | 'abort'): Promise<void> {
    this.stopController.abort();
    if (mode === 'abort') this.abortController.abort();
    await Promise.all(this.users);
  }

  private async runUser(user: number): Promise<void> {
    const { origin, load, clock, onSample } = this.options;
    const releaseHeader = load.releaseHeader.toLowerCase();
    const client = new Client(origin, {
      pipelining: 1,
      connect: { timeout: load.timeout },
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const stopping = this.stopController.signal;
    try {
      while (!stopping.aborted) {
        const timeout = new AbortController();
        const onAbort = () => timeout.abort(this.abortController.signal.reason);
        this.abortController.signal.addEventListener('abort', onAbort, { once: true });
        const timer = setTimeout(
          () => timeout.abort(new RequestTimeout('request timed out')),
          load.timeout,
        );
        const t = clock.now();
        let failed = false;
        try {
          const response = await client.request({
            origin,
            path: load.request.path,
            method: load.request.method,
            headers: load.request.headers,
            body: load.request.body,
            signal: timeout.signal,
          });
          let bytes = 0;
          for await (const chunk of response.body) bytes += (chunk as Buffer).length;
          const release = response.headers[releaseHeader];
          onSample({
            user,
            t,
            latencyMs: clock.now() - t,
            status: response.statusCode,
            release: Array.isArray(release) ? release[0] : release,
            bytes,
          });
        } catch (error) {
          if (this.abortController.signal.aborted) break;
          const reason = timeout.signal.aborted ? timeout.signal.reason : error;
          const kind = classifyError(reason);
          onSample({ user, t, latencyMs: clock.now() - t, status: 0, error: kind, bytes: 0 });
          failed = true;
        } finally {
          clearTimeout(timer);
          this.abortController.signal.removeEventListener('abort', onAbort);
        }
        // After an error, back off instead of spinning against a target that refuses.
        if (failed) await sleep(load.backoff, stopping);
        if (load.thinkTime > 0) await sleep(load.thinkTime, stopping);
      }
    } finally {
      await client.destroy().catch(() => {});
    }
  }
}
