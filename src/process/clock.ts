/** The trial's one clock: monotonic, read as milliseconds (fractional) since the trial's t0. */
export interface Clock {
  now(): number;
  /** t0 on the process's monotonic clock, which worker threads read too: they share the clock. */
  readonly origin: bigint;
}

export function startClock(origin: bigint = process.hrtime.bigint()): Clock {
  return { now: () => Number(process.hrtime.bigint() - origin) / 1e6, origin };
}
