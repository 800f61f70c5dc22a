import type { Dispatcher } from 'undici';
import type { CheckFailure, ErrorKind } from '../results/sample.ts';
import { classifyError } from './classify-error.ts';
import {
  BODY_EXAMPLE,
  failedCheck,
  type PreparedEndpoint,
  type PreparedTraffic,
} from './traffic.ts';

/** Raised by our own per-request timer, so the error is told apart from a stop of the run. */
class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

/** Raised to cut requests in flight when the run is interrupted. */
class RunInterrupted extends Error {}

export type RequestOutcome =
  | {
      kind: 'response';
      status: number;
      release: string | undefined;
      instance: string | undefined;
      bytes: number;
      /** The endpoint's `expect` that the response failed, if any (never for a 5xx). */
      check?: CheckFailure;
    }
  /** `responseStarted`: the error came after the status line, so the request reached the server. */
  | { kind: 'error'; error: ErrorKind; responseStarted: boolean }
  /** Cut by the run's own stop: not a measurement. */
  | { kind: 'aborted' };

/**
 * Sends the scenario's requests, one at a time, through undici's low-level dispatch API, and counts
 * the body's bytes (keeping only what a release pattern or a check reads) within the request timeout. This is the generator's hot path:
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
  /** The endpoint of the request in flight. */
  private endpoint: PreparedEndpoint;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** The values of the headers the endpoint's checks read, in their order. */
  private checkedHeaders: (string | undefined)[] = [];
  private listener: (outcome: RequestOutcome) => void = () => {};

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly traffic: PreparedTraffic,
  ) {
    this.endpoint = traffic.endpoints[0] as PreparedEndpoint;
  }

  /** True from a send until its outcome: the request is in flight. */
  get busy(): boolean {
    return this.inFlight;
  }

  /**
   * Sends one request to `endpoint`; `listener` gets its outcome. Never more than one at a time per
   * sender.
   */
  send(endpoint: PreparedEndpoint, listener: (outcome: RequestOutcome) => void): void {
    if (this.interrupted) {
      listener({ kind: 'aborted' });
      return;
    }
    this.listener = listener;
    this.endpoint = endpoint;
    this.inFlight = true;
    this.timedOut = false;
    this.status = 0;
    this.release = undefined;
    this.instance = undefined;
    this.bytes = 0;
    this.keptBytes = 0;
    this.controller = undefined;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.onTimeout, this.traffic.timeoutMs);
    this.dispatcher.dispatch(endpoint.options, this);
  }

  /** Sends one request and resolves with its outcome. */
  sendOnce(endpoint: PreparedEndpoint): Promise<RequestOutcome> {
    return new Promise((resolve) => this.send(endpoint, resolve));
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
    this.release = first(headers[this.traffic.releaseHeader]);
    const { instanceHeader } = this.traffic;
    if (instanceHeader !== undefined) this.instance = first(headers[instanceHeader]);
    const checked = this.endpoint.checks?.headers;
    if (checked && checked.length > 0)
      this.checkedHeaders = checked.map(({ name }) => first(headers[name]));
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.keptBytes < this.endpoint.keepBytes) {
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
    }
  }

  onResponseEnd(): void {
    const { releasePattern } = this.traffic;
    const { checks } = this.endpoint;
    let check: CheckFailure | undefined;
    if (releasePattern || checks) {
      const [only] = this.kept;
      const kept = this.kept.length === 1 && only ? only : Buffer.concat(this.kept);
      const body = kept.subarray(0, this.endpoint.keepBytes);
      if (releasePattern)
        this.release = releasePattern.firstGroup(body.toString('utf8')) ?? this.release;
      // A 5xx is a failure already, counted by its status: checks judge the other responses.
      const failed =
        checks && this.status < 500
          ? failedCheck(checks, { status: this.status, headers: this.checkedHeaders, body })
          : undefined;
      if (failed !== undefined)
        check = { check: failed, body: body.subarray(0, BODY_EXAMPLE).toString('utf8') };
    }
    this.settle({
      kind: 'response',
      status: this.status,
      release: this.release,
      instance: this.instance,
      bytes: this.bytes,
      ...(check ? { check } : {}),
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

/** A header's value, or its first when it came more than once. */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
