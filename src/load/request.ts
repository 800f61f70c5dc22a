import type { Dispatcher } from 'undici';
import type { LoadConfig } from '../scenario/schema.ts';
import { classifyError } from './classify-error.ts';
import type { ErrorKind } from './sample.ts';

/** Raised by our own per-request timer, so the error is told apart from a stop of the run. */
class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

/** Raised to cut requests in flight when the run is interrupted. */
class RunInterrupted extends Error {}

/** How much of a body a release pattern is searched in. */
const BODY_KEPT_FOR_PATTERN = 64 * 1024;

const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let pattern = patterns.get(source);
  if (!pattern) {
    pattern = new RegExp(source);
    patterns.set(source, pattern);
  }
  return pattern;
}

export type RequestOutcome =
  | { kind: 'response'; status: number; release?: string; bytes: number }
  /** `responseStarted`: the error came after the status line, so the request reached the server. */
  | { kind: 'error'; error: ErrorKind; responseStarted: boolean }
  /** Cut by the run's own stop: not a measurement. */
  | { kind: 'aborted' };

/**
 * The requests a load model has in flight, so that an interruption can cut them all at once (one set
 * per model rather than one abort listener per request: this is the generator's hot path).
 */
export class InFlightRequests {
  private readonly active = new Set<Dispatcher.DispatchController>();
  private interrupted = false;

  get aborted(): boolean {
    return this.interrupted;
  }

  abortAll(): void {
    this.interrupted = true;
    for (const controller of this.active) controller.abort(new RunInterrupted('interrupted'));
    this.active.clear();
  }

  add(controller: Dispatcher.DispatchController): void {
    if (this.interrupted) controller.abort(new RunInterrupted('interrupted'));
    else this.active.add(controller);
  }

  delete(controller: Dispatcher.DispatchController | undefined): void {
    if (controller) this.active.delete(controller);
  }
}

/**
 * Sends the scenario's request through undici's low-level dispatch API and counts the body's bytes
 * (never keeps them), within the request timeout. The dispatch API costs about a third less per
 * request than `request()` with its body stream, which is what lets the generator keep up with
 * autocannon (docs/performance.md).
 */
export function sendRequest(
  dispatcher: Dispatcher,
  load: LoadConfig,
  inFlight: InFlightRequests,
): Promise<RequestOutcome> {
  if (inFlight.aborted) return Promise.resolve({ kind: 'aborted' });
  const releaseHeader = load.releaseHeader.toLowerCase();
  const releasePattern = load.releasePattern ? patternOf(load.releasePattern) : undefined;
  // With a release pattern, the first bytes of the body are kept to search it.
  const kept: Buffer[] = [];
  let keptBytes = 0;
  return new Promise((resolve) => {
    let controller: Dispatcher.DispatchController | undefined;
    let timedOut = false;
    let status = 0;
    let release: string | undefined;
    let bytes = 0;
    const timer = setTimeout(() => {
      timedOut = true;
      controller?.abort(new RequestTimeout('request timed out'));
    }, load.timeout);
    const settle = (outcome: RequestOutcome) => {
      clearTimeout(timer);
      inFlight.delete(controller);
      resolve(outcome);
    };
    dispatcher.dispatch(
      {
        origin: undefined,
        path: load.request.path,
        method: load.request.method,
        headers: load.request.headers,
        body: load.request.body,
      },
      {
        onRequestStart(started) {
          controller = started;
          if (timedOut) started.abort(new RequestTimeout('request timed out'));
          else inFlight.add(started);
        },
        onResponseStart(_controller, statusCode, headers) {
          status = statusCode;
          const value = headers[releaseHeader];
          release = Array.isArray(value) ? value[0] : value;
        },
        onResponseData(_controller, chunk) {
          bytes += chunk.length;
          if (releasePattern && keptBytes < BODY_KEPT_FOR_PATTERN) {
            kept.push(chunk);
            keptBytes += chunk.length;
          }
        },
        onResponseEnd() {
          if (releasePattern) {
            const body = Buffer.concat(kept).subarray(0, BODY_KEPT_FOR_PATTERN).toString('utf8');
            release = releasePattern.exec(body)?.[1] ?? release;
          }
          settle({
            kind: 'response',
            status,
            ...(release !== undefined ? { release } : {}),
            bytes,
          });
        },
        onResponseError(_controller, error) {
          if (error instanceof RunInterrupted || inFlight.aborted) settle({ kind: 'aborted' });
          else
            settle({
              kind: 'error',
              error: classifyError(timedOut ? new RequestTimeout('request timed out') : error),
              responseStarted: status !== 0,
            });
        },
      },
    );
  });
}
