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

export interface CapacityResult {
  origin: string;
  durationSeconds: number;
  steps: CapacityStep[];
  /** The highest clean rate measured: no error, no non-2xx. */
  capacity: number;
  /** Half of the capacity: enough load to see a deploy, room left for the deploy itself. */
  suggestedRate: number;
  /** The largest number of closed-model users measured below the suggested rate. */
  suggestedUsers: number;
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
  const clean = steps.filter((s) => s.errors === 0 && s.non2xx === 0);
  const capacity = Math.max(0, ...clean.map((s) => s.requestsPerSecond));
  const suggestedRate = Math.floor(capacity / 2);
  const below = clean.filter((s) => s.requestsPerSecond <= suggestedRate);
  return {
    origin: options.origin,
    durationSeconds: options.durationSeconds,
    steps,
    capacity,
    suggestedRate,
    suggestedUsers: below.length > 0 ? Math.max(...below.map((s) => s.connections)) : 1,
  };
}
