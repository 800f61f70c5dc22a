import type { Dispatcher } from 'undici';
import type { ErrorKind } from '../results/sample.ts';
import type { LoadConfig } from '../scenario/schema.ts';
import { classifyError } from './classify-error.ts';

/** Raised by our own per-request timer, so the error is told apart from a stop of the run. */
class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

/** Raised to cut requests in flight when the run is interrupted. */
class RunInterrupted extends Error {}

/** How much of a body a release pattern is searched in. */
const BODY_KEPT_FOR_PATTERN = 64 * 1024;

/** The scenario's request, prepared once per load model rather than on every request. */
export interface PreparedRequest {
  options: Dispatcher.DispatchOptions;
  timeoutMs: number;
  /** Lower-cased, as undici gives header names. */
  releaseHeader: string;
  releasePattern?: RegExp;
  /** Lower-cased; absent when no instance header is read. */
  instanceHeader?: string;
}

export function prepareRequest(load: LoadConfig): PreparedRequest {
  const { path, method, headers, body } = load.request;
  return {
    options: { path, method, headers, body },
    timeoutMs: load.timeout,
    releaseHeader: load.releaseHeader.toLowerCase(),
    ...(load.releasePattern ? { releasePattern: new RegExp(load.releasePattern) } : {}),
    ...(load.instanceHeader ? { instanceHeader: load.instanceHeader.toLowerCase() } : {}),
  };
}

export type RequestOutcome =
  | {
      kind: 'response';
      status: number;
      release: string | undefined;
      instance: string | undefined;
      bytes: number;
    }
  /** `responseStarted`: the error came after the status line, so the request reached the server. */
  | { kind: 'error'; error: ErrorKind; responseStarted: boolean }
  /** Cut by the run's own stop: not a measurement. */
  | { kind: 'aborted' };

/**
 * Sends the scenario's request, one at a time, through undici's low-level dispatch API, and counts
 * the body's bytes (never keeps them) within the request timeout. This is the generator's hot path:
 * the sender is its own dispatch handler, and it, its state and its timeout timer are reused from
 * request to request, so a request allocates next to nothing of ours (docs/performance.md).
 */
export class RequestSender implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  /** Armed at each send; when it fires during a request, that request has run out of time. */
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private interrupted = false;
  private timedOut = false;
  private status = 0;
  private release: string | undefined;
  private instance: string | undefined;
  private bytes = 0;
  /** With a release pattern, the first bytes of the body, to search it. */
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private listener: (outcome: RequestOutcome) => void = () => {};

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly request: PreparedRequest,
  ) {}

  /** True from a send until its outcome: the request is in flight. */
  get busy(): boolean {
    return this.inFlight;
  }

  /** Sends one request; `listener` gets its outcome. Never more than one at a time per sender. */
  send(listener: (outcome: RequestOutcome) => void): void {
    if (this.interrupted) {
      listener({ kind: 'aborted' });
      return;
    }
    this.listener = listener;
    this.inFlight = true;
    this.timedOut = false;
    this.status = 0;
    this.release = undefined;
    this.instance = undefined;
    this.bytes = 0;
    this.keptBytes = 0;
    this.controller = undefined;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.onTimeout, this.request.timeoutMs);
    this.dispatcher.dispatch(this.request.options, this);
  }

  /** Sends one request and resolves with its outcome. */
  sendOnce(): Promise<RequestOutcome> {
    return new Promise((resolve) => this.send(resolve));
  }

  /** Cuts the request in flight, if any, and refuses further sends: the run is interrupted. */
  interrupt(): void {
    this.interrupted = true;
    this.controller?.abort(new RunInterrupted('interrupted'));
  }

  /** Lets go of the timer; the sender may not send again. */
  close(): void {
    clearTimeout(this.timer);
  }

  private readonly onTimeout = (): void => {
    // The timer is re-armed at every send, so while a request is in flight it fires for that one.
    if (!this.inFlight) return;
    this.timedOut = true;
    this.controller?.abort(new RequestTimeout('request timed out'));
  };

  private settle(outcome: RequestOutcome): void {
    this.inFlight = false;
    this.controller = undefined;
    if (this.kept.length > 0) this.kept = [];
    this.listener(outcome);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.interrupted) controller.abort(new RunInterrupted('interrupted'));
    else if (this.timedOut) controller.abort(new RequestTimeout('request timed out'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    const value = headers[this.request.releaseHeader];
    this.release = Array.isArray(value) ? value[0] : value;
    const { instanceHeader } = this.request;
    if (instanceHeader !== undefined) {
      const instance = headers[instanceHeader];
      this.instance = Array.isArray(instance) ? instance[0] : instance;
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.request.releasePattern && this.keptBytes < BODY_KEPT_FOR_PATTERN) {
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
    }
  }

  onResponseEnd(): void {
    const { releasePattern } = this.request;
    if (releasePattern) {
      const body = Buffer.concat(this.kept).subarray(0, BODY_KEPT_FOR_PATTERN).toString('utf8');
      this.release = releasePattern.exec(body)?.[1] ?? this.release;
    }
    this.settle({
      kind: 'response',
      status: this.status,
      release: this.release,
      instance: this.instance,
      bytes: this.bytes,
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (error instanceof RunInterrupted || this.interrupted) {
      this.settle({ kind: 'aborted' });
      return;
    }
    this.settle({
      kind: 'error',
      error: classifyError(this.timedOut ? new RequestTimeout('request timed out') : error),
      responseStarted: this.status !== 0,
    });
  }
}
