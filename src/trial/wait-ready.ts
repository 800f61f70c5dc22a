import { request } from 'undici';
import { sleep } from '../process/sleep.ts';

const POLL_MS = 250;

/**
 * Waits until an external target answers (any status below 500) before the load starts; the error
 * says what the last attempt met.
 */
export async function waitUntilReady(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (!signal.aborted) {
    try {
      const response = await request(url, {
        // AbortSignal.timeout takes whole milliseconds only: a fraction throws.
        signal: AbortSignal.timeout(
          Math.max(1, Math.ceil(Math.min(5000, deadline - performance.now()))),
        ),
      });
      await response.body.dump();
      if (response.statusCode < 500) return;
      last = `HTTP ${response.statusCode}`;
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string }; code?: string }).cause?.code ??
        (error as { code?: string }).code;
      last = cause ?? (error as Error).message;
    }
    if (performance.now() >= deadline) break;
    await sleep(POLL_MS, signal);
  }
  if (signal.aborted) return;
  throw new Error(
    `${url} did not answer below HTTP 500 within ${timeoutMs} ms (last attempt: ${last})`,
  );
}
