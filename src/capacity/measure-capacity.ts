import autocannon from 'autocannon';
import type { RequestConfig } from '../scenario/schema.ts';

export interface CapacityStep {
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses with a status outside 2xx. */
  non2xx: number;
}

export interface CapacitySummary {
  /** The highest clean rate measured: no error, no non-2xx. */
  capacity: number;
  /**
   * The last step was clean and still more than 10 % above the one before: the target was not
   * saturated, and its capacity is at least `capacity`.
   */
  stillRising: boolean;
  /** Half of the capacity: enough load to see a deploy, room left for the deploy itself. */
  suggestedRate: number;
  /**
   * The clean step whose rate came closest to the suggested rate without passing it; when every
   * clean step passed it, one user, with the slowest step's rate and connections to say so.
   */
  suggestedUsers: { users: number; measuredRate: number; measuredWith: number };
}

export interface CapacityResult extends CapacitySummary {
  origin: string;
  durationSeconds: number;
  steps: CapacityStep[];
}

/** A rise below this between the last two steps is a plateau: the target is saturated. */
const STILL_RISING = 1.1;

/** What the steps say: the capacity, whether it is only a lower bound, and a load to test with. */
export function summarizeCapacity(steps: readonly CapacityStep[]): CapacitySummary {
  const clean = steps.filter((s) => s.errors === 0 && s.non2xx === 0);
  const capacity = Math.max(0, ...clean.map((s) => s.requestsPerSecond));
  const [last, previous] = [steps.at(-1), steps.at(-2)];
  const stillRising =
    last !== undefined &&
    clean.includes(last) &&
    last.requestsPerSecond === capacity &&
    (previous === undefined || last.requestsPerSecond > STILL_RISING * previous.requestsPerSecond);
  const suggestedRate = Math.floor(capacity / 2);
  const below = clean.filter((s) => s.requestsPerSecond <= suggestedRate);
  const closest = below.reduce<CapacityStep | undefined>(
    (best, s) => (best === undefined || s.requestsPerSecond > best.requestsPerSecond ? s : best),
    undefined,
  );
  return {
    capacity,
    stillRising,
    suggestedRate,
    suggestedUsers: closest
      ? {
          users: closest.connections,
          measuredRate: Math.round(closest.requestsPerSecond),
          measuredWith: closest.connections,
        }
      : {
          users: 1,
          measuredRate: Math.round(clean[0]?.requestsPerSecond ?? 0),
          measuredWith: clean[0]?.connections ?? 1,
        },
  };
}

/**
 * The target's sustainable request rate at steady state, by autocannon at increasing connection
 * counts. autocannon is accurate and fast while the target stays up — and only then: it is never used
 * across a deploy (docs/decisions/0001-closed-model-on-undici.md).
 */
export async function measureCapacity(options: {
  origin: string;
  request: RequestConfig;
  connections: number[];
  durationSeconds: number;
  onStep?: (step: CapacityStep) => void;
}): Promise<CapacityResult> {
  const steps: CapacityStep[] = [];
  for (const connections of options.connections) {
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: new URL(options.request.path, options.origin).toString(),
          method: options.request.method,
          headers: options.request.headers,
          ...(options.request.body !== undefined ? { body: options.request.body } : {}),
          connections,
          duration: options.durationSeconds,
        },
        (error, outcome) => (error ? reject(error) : resolve(outcome)),
      );
    });
    const step = {
      connections,
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
    };
    steps.push(step);
    options.onStep?.(step);
  }
  return {
    origin: options.origin,
    durationSeconds: options.durationSeconds,
    steps,
    ...summarizeCapacity(steps),
  };
}
