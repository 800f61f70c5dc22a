/**
 * Why a request failed: it got no response (refused, reset, timeout, other), or its response failed
 * the endpoint's `expect` (check). A 5xx is counted from its status instead.
 */
export type ErrorKind = 'refused' | 'reset' | 'timeout' | 'other' | 'check';

export const ERROR_KINDS: readonly ErrorKind[] = ['refused', 'reset', 'timeout', 'other', 'check'];

/** A response that failed its endpoint's `expect`: which check, and the start of what came. */
export interface CheckFailure {
  /** The check in words, e.g. `status 2xx` or `body contains "<title>"`. */
  check: string;
  /** The body's first bytes (at most 200), as UTF-8. */
  body: string;
}

/** The open model has no users: each arrival stands alone. */
export const OPEN_MODEL_USER = -1;

/** One request, as the load generator saw it. Times are milliseconds on the trial's clock. */
export interface Sample {
  /** Index of the simulated user that sent it; OPEN_MODEL_USER for an open-model arrival. */
  user: number;
  /** When the request started; in the open model, when it was scheduled to start. */
  t: number;
  /** From `t` until the full response, or until the error. */
  latencyMs: number;
  /** Open model: from the actual send until the response (what a closed model would report). */
  serviceMs?: number;
  /** HTTP status; 0 when no response came. */
  status: number;
  error?: ErrorKind;
  /** With `error: 'check'`: what failed. */
  check?: CheckFailure;
  /** Which of `load.endpoints` it went to; absent for the single `load.request`. */
  endpoint?: number;
  /** Sent twice: the first try met a kept-alive connection the server was closing (closed model). */
  retried?: boolean;
  /** Release id from the response header, when present. */
  release?: string;
  /** Instance id from `load.instanceHeader` (or the embedded router's), when present. */
  instance?: string;
  /**
   * The connection it was sent on (its first try): one opened for it (`new`), or one kept alive from
   * earlier requests (`reused`). Absent where the load cannot tell (the open model's shared pool).
   */
  connection?: ConnectionKind;
  /**
   * A failure on a reused connection: the instance that last answered on that connection, which
   * closed or reset it (its instance header, else its release).
   */
  lastAnsweredBy?: string;
  /** Sent by the probe (`load.probe`), not by a user: it counts only in its kind of connection. */
  probe?: true;
  bytes: number;
}

export type ConnectionKind = 'new' | 'reused';

/** A request failed when no response came, the response was a server error, or it failed a check. */
export function isFailure(sample: Pick<Sample, 'status' | 'error'>): boolean {
  return sample.status === 0 || sample.status >= 500 || sample.error === 'check';
}
