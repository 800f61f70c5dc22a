/** Why a request got no response. */
export type ErrorKind = 'refused' | 'reset' | 'timeout' | 'other';

export const ERROR_KINDS: readonly ErrorKind[] = ['refused', 'reset', 'timeout', 'other'];

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
  /** Sent twice: the first try met a kept-alive connection the server was closing (closed model). */
  retried?: boolean;
  /** Release id from the response header, when present. */
  release?: string;
  /** Instance id from `load.instanceHeader` (or the embedded router's), when present. */
  instance?: string;
  bytes: number;
}

/** A request failed when no response came or the response was a server error. */
export function isFailure(sample: Pick<Sample, 'status'>): boolean {
  return sample.status === 0 || sample.status >= 500;
}
