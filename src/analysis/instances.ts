import type { TrafficDrain } from '../results/parts/drains.ts';
import type { InstanceTraffic } from '../results/parts/instances.ts';
import type { InstanceDrain, InstanceLifecycle, Recording } from '../results/recording.ts';

/**
 * One instance of the target over a trial: its life as the platform knows it (embedded platform
 * only) and the traffic it answered as the load saw it. Times on the trial's timeline (ms since
 * t0); null when unknown or when it did not happen during the trial.
 */
export interface Instance extends Omit<InstanceLifecycle, 'release' | 'drain'> {
  /**
   * Once it was taken out of rotation (embedded platform), or told to stop (a command driver's
   * marker named it): its requests then in flight, and after.
   */
  drain: InstanceDrain | null;
  /** Null when no response named it and no platform started it. */
  release: string | null;
  /** End of the first and the last response it answered. */
  firstTrafficAt: number | null;
  lastTrafficAt: number | null;
  /** Responses it answered in the trial. */
  requests: number;
  /** Responses it answered per interval (by the interval in which each ended). */
  requestsPerInterval: number[];
}

/**
 * The platform's processes joined with the instances the load saw, by id: the processes first, in
 * the order they started, then any instance only the load saw (a target's own naming).
 */
export function trialInstances(recording: Recording): Instance[] {
  return joinInstances(recording.lifecycle ?? [], recording.instances, recording.drains ?? []);
}

/** The processes' lives joined with the traffic by id, as `trialInstances`: also for a live trial. */
export function joinInstances(
  lives: readonly InstanceLifecycle[],
  instances: readonly InstanceTraffic[],
  trafficDrains: readonly TrafficDrain[] = [],
): Instance[] {
  const traffic = new Map(instances.map((t) => [t.id, t]));
  const known = new Set(lives.map((l) => l.id));
  const drains = new Map(trafficDrains.map((d) => [d.instance, d]));
  return [
    ...lives.map((life) => join(life, traffic.get(life.id))),
    ...instances
      .filter((t) => !known.has(t.id))
      .map((t) => withTrafficDrain(join(undefined, t), drains.get(t.id))),
  ];
}

/** An instance only the load saw, told to stop by a marker: its drain as the traffic showed it. */
function withTrafficDrain(instance: Instance, drain: TrafficDrain | undefined): Instance {
  if (!drain) return instance;
  const { inFlight, answered, cut, gone, answeredForMs } = drain;
  return {
    ...instance,
    stoppingAt: drain.toldAt,
    drain: { inFlight, answered, cut, gone, answeredForMs },
  };
}

function join(life: InstanceLifecycle | undefined, traffic: InstanceTraffic | undefined): Instance {
  return {
    id: life?.id ?? traffic?.id ?? '',
    release: life?.release ?? traffic?.release ?? null,
    startedAt: life?.startedAt ?? null,
    upAt: life?.upAt ?? null,
    routedAt: life?.routedAt ?? null,
    unroutedAt: life?.unroutedAt ?? null,
    stoppingAt: life?.stoppingAt ?? null,
    stoppedAt: life?.stoppedAt ?? null,
    exit: life?.exit ?? null,
    drain: life?.drain ?? null,
    firstTrafficAt: traffic?.firstMs ?? null,
    lastTrafficAt: traffic?.lastMs ?? null,
    requests: traffic?.requests ?? 0,
    requestsPerInterval: traffic?.perInterval ?? [],
  };
}
