import { seededRandom } from './random.ts';

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
  const random = seededRandom(plan.seed);
  const until = plan.untilMs ?? Number.POSITIVE_INFINITY;
  for (let t = plan.offsetMs ?? 0; t < until; ) {
    yield t;
    t += plan.arrival === 'poisson' ? -Math.log(1 - random()) * mean : mean;
  }
}
