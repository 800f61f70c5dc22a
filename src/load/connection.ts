import { createSecureContext, type SecureContext } from 'node:tls';
import { Agent, type Client } from 'undici';
import type { LoadConfig, UrlTargetConfig } from '../scenario/schema.ts';

/** How the generator connects to the target: what a scenario's target and load say of connections. */
export interface TargetConnection {
  /** e.g. http://127.0.0.1:8080 or https://staging.example.com */
  origin: string;
  /** False: a new connection for every request (`connection: close`). */
  keepAlive: boolean;
  /** Offer HTTP/2 by ALPN (https only); the server may still pick HTTP/1.1. */
  http2: boolean;
  tls?: TargetTls;
}

export interface TargetTls {
  /** False accepts any certificate: a self-signed staging one. */
  rejectUnauthorized: boolean;
  /** PEM text of the CAs to trust, instead of the system's (Node's `ca`). */
  ca?: string;
  servername?: string;
}

/** A plain connection to `origin`, kept alive, HTTP/1.1: the embedded platform, tests, settle. */
export function plainConnection(origin: string): TargetConnection {
  return { origin, keepAlive: true, http2: false };
}

/**
 * undici's options for a dispatcher that sends one request at a time per connection. No undici
 * timeout applies to the response: the sender's own timer does (load/request.ts).
 */
export function dispatcherOptions(target: TargetConnection, timeoutMs: number): Client.Options {
  const { tls } = target;
  return {
    // 0 is undici's "no keep-alive": each request says `connection: close` and gets its own socket.
    pipelining: target.keepAlive ? 1 : 0,
    ...(target.http2 ? { allowH2: true } : {}),
    connect: {
      timeout: timeoutMs,
      ...(tls
        ? {
            rejectUnauthorized: tls.rejectUnauthorized,
            ...(tls.ca !== undefined ? { secureContext: trusting(tls.ca) } : {}),
            ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
          }
        : {}),
    },
    headersTimeout: 0,
    bodyTimeout: 0,
  };
}

/**
 * One TLS context per CA text in this thread. Given `ca` alone, Node builds a context for every
 * connection — 36 ms for a system bundle — which a run without keep-alive would measure as the
 * target's latency.
 */
const contexts = new Map<string, SecureContext>();
function trusting(ca: string): SecureContext {
  let context = contexts.get(ca);
  if (!context) {
    context = createSecureContext({ ca });
    contexts.set(ca, context);
  }
  return context;
}

/** The connection a scenario's `url` target and load ask for; `ca` is the CA file's text. */
export function urlConnection(
  target: UrlTargetConfig,
  load: Pick<LoadConfig, 'keepAlive'>,
  ca: string | undefined,
): TargetConnection {
  const { tls } = target;
  const https = target.url.startsWith('https:');
  return {
    origin: new URL(target.url).origin,
    keepAlive: load.keepAlive,
    http2: target.http2 === true,
    ...(https
      ? {
          tls: {
            rejectUnauthorized: !(tls?.insecure ?? false),
            ...(ca !== undefined ? { ca } : {}),
            ...(tls?.servername !== undefined ? { servername: tls.servername } : {}),
          },
        }
      : {}),
  };
}

/** A dispatcher for occasional requests (readiness polls) that connects as the load does. */
export function occasionalDispatcher(target: TargetConnection): Agent {
  const { connect } = dispatcherOptions(target, 10_000);
  return new Agent({ ...(target.http2 ? { allowH2: true } : {}), ...(connect ? { connect } : {}) });
}
