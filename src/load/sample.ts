/** Why a request got no response. */
export type ErrorKind = 'refused' | 'reset' | 'timeout' | 'other';

export const ERROR_KINDS: readonly ErrorKind[] = ['refused', 'reset', 'timeout', 'other'];

/** One request, as the load generator saw it. Times are milliseconds on the trial's clock. */
export interface Sample {
  /** Index of the simulated user that sent it. */
  user: number;
  /** When the request started. */
  t: number;
  /** Until the full response, or until the error. */
  latencyMs: number;
  /** HTTP status; 0 when no response came. */
  status: number;
  error?: ErrorKind;
  /** Release id from the response header, when present. */
  release?: string;
  bytes: number;
}

/** A request failed when no response came or the response was a server error. */
export function isFailure(sample: Pick<Sample, 'status'>): boolean {
  return sample.status === 0 || sample.status >= 500;
}
