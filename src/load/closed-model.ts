import { Client } from 'undici';
import { sleep } from '../process/sleep.ts';
import type { ClosedLoadConfig } from '../scenario/schema.ts';
import type { Clock } from '../trial/clock.ts';
import type { LoadGenerator } from './load-generator.ts';
import { InFlightRequests, sendRequest } from './request.ts';
import type { Sample } from './sample.ts';

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
  private users: Promise<void>[] = [];

  constructor(private readonly options: ClosedModelOptions) {}

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
    try {
      while (!stopping.aborted) {
        const t = clock.now();
        const outcome = await sendRequest(client, load, this.inFlightRequests);
        if (outcome.kind === 'aborted') break;
        const latencyMs = clock.now() - t;
        if (outcome.kind === 'response') {
          const { status, bytes } = outcome;
          onSample({
            user,
            t,
            latencyMs,
            status,
            bytes,
            ...(outcome.release !== undefined ? { release: outcome.release } : {}),
          });
        } else {
          onSample({ user, t, latencyMs, status: 0, error: outcome.error, bytes: 0 });
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
