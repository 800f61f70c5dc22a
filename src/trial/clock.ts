/** The trial's one clock: monotonic, read as milliseconds (fractional) since the trial's t0. */
export interface Clock {
  now(): number;
}

export function startClock(): Clock {
  const t0 = process.hrtime.bigint();
  return { now: () => Number(process.hrtime.bigint() - t0) / 1e6 };
}
