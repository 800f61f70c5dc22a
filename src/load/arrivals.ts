/** How an open model's requests arrive: the rate, and evenly spaced or as a Poisson process. */
export interface ArrivalPlan {
  /** Requests per second. */
  rate: number;
  arrival: 'uniform' | 'poisson';
  /** Seeds the Poisson gaps, so that a run repeats exactly (load/share.ts gives each share its own). */
  seed: number;
  /** When the first arrival is due, on the trial's clock (one share of several). */
  offsetMs?: number;
  /** No arrival is due at or after this moment (a shard's fixed span). */
  untilMs?: number;
}

/**
 * The open model's schedule as a pure function (vegeta's Pacer): the intended time of every arrival,
 * in ms on the trial's clock, in order. The generator sends each when it is due; tests read it as is.
 */
export function* arrivalTimes(plan: ArrivalPlan): Generator<number, void, undefined> {
  const mean = 1000 / plan.rate;
  const random = mulberry32(plan.seed);
  const until = plan.untilMs ?? Number.POSITIVE_INFINITY;
  for (let t = plan.offsetMs ?? 0; t < until; ) {
    yield t;
    t += plan.arrival === 'poisson' ? -Math.log(1 - random()) * mean : mean;
  }
}

/** A small seeded generator: Poisson arrivals that repeat from run to run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
