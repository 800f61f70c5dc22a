import type { Dispatcher } from 'undici';
import type { LoadConfig } from '../scenario/schema.ts';
import { classifyError } from './classify-error.ts';
import type { ErrorKind } from './sample.ts';

/** Raised by our own per-request timer, so the error is told apart from a stop of the run. */
class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

export type RequestOutcome =
  | { kind: 'response'; status: number; release?: string; bytes: number }
  | { kind: 'error'; error: ErrorKind }
  /** Cut by the run's own stop: not a measurement. */
  | { kind: 'aborted' };

/**
 * Sends the scenario's request and reads the whole body (counted, never kept), within the request
 * timeout. `abortSignal` is the run being interrupted.
 */
export async function sendRequest(
  dispatcher: Dispatcher,
  load: LoadConfig,
  abortSignal: AbortSignal,
): Promise<RequestOutcome> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(abortSignal.reason);
  abortSignal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new RequestTimeout('request timed out')),
    load.timeout,
  );
  try {
    const response = await dispatcher.request({
      path: load.request.path,
      method: load.request.method,
      headers: load.request.headers,
      body: load.request.body,
      signal: controller.signal,
    });
    let bytes = 0;
    for await (const chunk of response.body) bytes += (chunk as Buffer).length;
    const header = response.headers[load.releaseHeader.toLowerCase()];
    const release = Array.isArray(header) ? header[0] : header;
    return {
      kind: 'response',
      status: response.statusCode,
      ...(release !== undefined ? { release } : {}),
      bytes,
    };
  } catch (error) {
    if (abortSignal.aborted) return { kind: 'aborted' };
    return {
      kind: 'error',
      error: classifyError(controller.signal.aborted ? controller.signal.reason : error),
    };
  } finally {
    clearTimeout(timer);
    abortSignal.removeEventListener('abort', onAbort);
  }
}
