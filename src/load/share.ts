import type { LoadConfig } from '../scenario/schema.ts';

/** What one of several generators (worker threads, shards) sends of the scenario's load. */
export interface LoadShare {
  load: LoadConfig;
  /** Closed model: the number of this share's first user, so that users are numbered apart. */
  firstUser: number;
  /** Open model: when this share's first arrival is due, so that shares interleave evenly. */
  arrivalOffsetMs: number;
  /** Open model: seeds the Poisson arrivals, different for each share. */
  seed: number;
  /**
   * Open model: no arrival is due at or after this moment of the trial's clock — a shard's fixed
   * span, so that a stop that comes late on a busy machine adds no arrival that another shard lacks.
   */
  arrivalsUntilMs?: number;
}

/** The seed of a single generator's Poisson arrivals. */
export const DEFAULT_SEED = 0x5eed;

/**
 * Share `index` of `count` of the load: users dealt out as evenly as they go, or the rate divided
 * with arrivals interleaved (share i starts i arrivals later), so that the shares together send
 * what one generator would. The probe (`load.probe`) is sent by the first share alone.
 */
export function shareOfLoad(load: LoadConfig, index: number, count: number): LoadShare {
  if (load.model === 'closed') {
    const base = Math.floor(load.users / count);
    const extra = load.users % count;
    return {
      load: { ...load, users: base + (index < extra ? 1 : 0), probe: index === 0 ? load.probe : 0 },
      firstUser: index * base + Math.min(index, extra),
      arrivalOffsetMs: 0,
      seed: DEFAULT_SEED,
    };
  }
  return {
    load: {
      ...load,
      rate: load.rate / count,
      probe: index === 0 ? load.probe : 0,
      maxInFlight: Math.max(1, Math.ceil(load.maxInFlight / count)),
    },
    firstUser: 0,
    arrivalOffsetMs: load.arrival === 'uniform' ? (index * 1000) / load.rate : 0,
    seed: DEFAULT_SEED + index,
  };
}

/** Share `inner` of share `outer`: a shard's load divided among its worker threads. */
export function shareOfShare(outer: LoadShare, index: number, count: number): LoadShare {
  const inner = shareOfLoad(outer.load, index, count);
  return {
    load: inner.load,
    firstUser: outer.firstUser + inner.firstUser,
    arrivalOffsetMs: outer.arrivalOffsetMs + inner.arrivalOffsetMs,
    seed: (outer.seed * 31 + inner.seed) >>> 0,
    ...(outer.arrivalsUntilMs !== undefined ? { arrivalsUntilMs: outer.arrivalsUntilMs } : {}),
  };
}

/** How many worker threads to start: never more than there are users to give them. */
export function workerCount(load: LoadConfig): number {
  return load.model === 'closed' ? Math.min(load.workers, load.users) : load.workers;
}
