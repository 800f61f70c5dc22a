import { type Dispatcher, request } from 'undici';
import { occasionalDispatcher, type TargetConnection } from '../load/connection.ts';
import { sleep } from '../process/sleep.ts';
import { formatMs } from '../text/format.ts';

const POLL_MS = 250;

/**
 * Waits until an external target answers (any status below 500) before the load starts; the error
 * says what the last attempt met.
 */
export async function waitUntilReady(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
  target?: TargetConnection,
): Promise<void> {
  const dispatcher = target ? occasionalDispatcher(target) : undefined;
  try {
    await poll(url, timeoutMs, signal, dispatcher);
  } finally {
    await dispatcher?.close();
  }
}

async function poll(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
  dispatcher: Dispatcher | undefined,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (!signal.aborted) {
    try {
      const response = await request(url, {
        ...(dispatcher ? { dispatcher } : {}),
        // AbortSignal.timeout takes whole milliseconds only: a fraction throws.
        signal: AbortSignal.timeout(
          Math.max(1, Math.ceil(Math.min(5000, deadline - performance.now()))),
        ),
      });
      await response.body.dump();
      if (response.statusCode < 500) return;
      last = `HTTP ${response.statusCode}`;
    } catch (error) {
      // A certificate refused now is refused at every attempt: say what to set, at once.
      const refused = connectionRefusal(error);
      if (refused) throw refused;
      last = attemptFailure(error);
    }
    if (performance.now() >= deadline) break;
    await sleep(POLL_MS, signal);
  }
  if (signal.aborted) return;
  throw new Error(
    `${url} did not answer below HTTP 500 within ${formatMs(timeoutMs)} (last attempt: ${last})`,
  );
}

/**
 * What one attempt met, in words: a system error's code (ECONNREFUSED), or the error's message. A
 * timeout's DOMException has a numeric `code` (23) that says nothing to a reader.
 */
function attemptFailure(error: unknown): string {
  const { cause, code, name, message } = error as {
    cause?: { code?: unknown };
    code?: unknown;
    name?: string;
    message?: string;
  };
  if (name === 'TimeoutError') return 'no answer in time';
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof code === 'string') return code;
  return message ?? String(error);
}

/** Node's and OpenSSL's codes for a certificate the client refused. */
const CERTIFICATE_REFUSED =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_\w+)$/;

/** OpenSSL's codes for a server that answered a TLS hello with something else: plain HTTP. */
const NOT_TLS = /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST)$/;

/** A connection that no wait would make: the settings or the URL must change. */
export class ConnectionRefusal extends Error {
  override name = 'ConnectionRefusal';
}

/**
 * A connection the run cannot make whatever it waits for, in one line that says what to change: a
 * certificate the settings do not trust, or an https:// URL whose server speaks plain HTTP.
 */
function connectionRefusal(error: unknown): ConnectionRefusal | undefined {
  const { code, cause, message } = error as {
    code?: unknown;
    cause?: { code?: unknown; message?: string };
    message?: string;
  };
  const [found, words] =
    typeof code === 'string' ? [code, message] : [cause?.code, cause?.message ?? message];
  if (typeof found !== 'string') return undefined;
  if (CERTIFICATE_REFUSED.test(found))
    return new ConnectionRefusal(
      `the target's certificate was refused (${found}: ${words}); set target.tls.ca to the CA that signed it, target.tls.servername to the name it was issued for, or target.tls.insecure: true for a self-signed staging certificate`,
    );
  if (NOT_TLS.test(found))
    return new ConnectionRefusal(
      `the target does not speak TLS (${found}): its server answers plain HTTP; use an http:// URL`,
    );
  return undefined;
}

/**
 * One request before the load, to an https target: a certificate the settings do not trust fails
 * here, in one line that says what to set, rather than as every request of the run failing (or
 * hanging: undici leaves a connection that met an invalid name unusable). Anything else (refused,
 * a 5xx) is left to the run to measure.
 */
export async function checkCertificate(
  target: TargetConnection,
  signal: AbortSignal,
): Promise<void> {
  if (!target.tls) return;
  const dispatcher = occasionalDispatcher(target);
  try {
    const response = await request(target.origin, {
      dispatcher,
      method: 'HEAD',
      signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
    });
    await response.body.dump();
  } catch (error) {
    const refused = connectionRefusal(error);
    if (refused) throw refused;
  } finally {
    await dispatcher.close();
  }
}
