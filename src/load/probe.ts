import type { Clock } from '../process/clock.ts';
import type { Sample } from '../results/sample.ts';
import type { LoadConfig, OpenLoadConfig } from '../scenario/schema.ts';
import type { TargetConnection } from './connection.ts';
import type { InFlight, LoadGenerator } from './load-generator.ts';
import { OpenModel } from './open-model.ts';
import { DEFAULT_SEED } from './share.ts';

/** The probe's requests in flight, at most: a hung target must not pile up its connections. */
const PROBE_MAX_IN_FLIGHT = 100;

/**
 * What the probe sends beside the load (`load.probe`): the load's requests, evenly spaced at the
 * probe's rate, each on a connection of its own — what OpenShift's disruption monitors poll beside
 * their kept-alive pollers, since a process gone from the port refuses new connections while the
 * kept-alive ones still reach the old process. None when the load itself opens a connection per
 * request (`keepAlive: false`), or when it is off.
 */
export function probeLoad(load: LoadConfig, target: TargetConnection): OpenLoadConfig | undefined {
  if (load.probe <= 0 || !target.keepAlive) return undefined;
  const { model: _, ...common } = load;
  return {
    ...common,
    model: 'open',
    rate: load.probe,
    arrival: 'uniform',
    maxInFlight: PROBE_MAX_IN_FLIGHT,
    keepAlive: false,
    workers: 1,
  };
}

/** Sends the probe: open-model arrivals on new connections, each sample flagged as the probe's. */
export function createProbe(options: {
  target: TargetConnection;
  load: OpenLoadConfig;
  clock: Clock;
  onSample: (sample: Sample) => void;
}): LoadGenerator {
  const { target, load, clock, onSample } = options;
  return new OpenModel({
    target: { ...target, keepAlive: false },
    load,
    clock,
    // Its own sequence of endpoints, apart from the users'.
    seed: (DEFAULT_SEED * 7 + 1) >>> 0,
    onSample: (sample) => onSample({ ...sample, connection: 'new', probe: true }),
    // An arrival that found the probe's 100 in flight: the target hangs, which the users show.
    onDropped: () => {},
  });
}

/** The users (or arrivals) and the probe beside them, started and stopped together. */
export function withProbe(users: LoadGenerator, probe: LoadGenerator): LoadGenerator {
  return {
    start() {
      users.start();
      probe.start();
    },
    // The users' requests: what the live view's wait is about.
    inFlight: (): InFlight => users.inFlight(),
    async stop(mode) {
      await Promise.all([users.stop(mode), probe.stop(mode)]);
    },
  };
}
