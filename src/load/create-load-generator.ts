import type { Clock } from '../process/clock.ts';
import type { Sample } from '../results/sample.ts';
import type { LoadConfig } from '../scenario/schema.ts';
import { ClosedModel } from './closed-model.ts';
import type { TargetConnection } from './connection.ts';
import type { LoadGenerator } from './load-generator.ts';
import { OpenModel } from './open-model.ts';
import { createProbe, probeLoad, withProbe } from './probe.ts';
import type { LoadShare } from './share.ts';

/** The scenario's load model, or one share of it, ready to start; with its probe, if it has one. */
export function createLoadGenerator(options: {
  target: TargetConnection;
  load: LoadConfig;
  clock: Clock;
  onSample: (sample: Sample) => void;
  onDropped: (t: number) => void;
  onConnection?: () => void;
  share?: Omit<LoadShare, 'load'>;
}): LoadGenerator {
  const users = createUsers(options);
  const probe = probeLoad(options.load, options.target);
  if (!probe) return users;
  const { target, clock, onSample } = options;
  return withProbe(users, createProbe({ target, load: probe, clock, onSample }));
}

function createUsers(options: Parameters<typeof createLoadGenerator>[0]): LoadGenerator {
  const { load, share, onDropped, ...rest } = options;
  if (load.model === 'open') {
    return new OpenModel({
      ...rest,
      onDropped,
      load,
      ...(share ? { seed: share.seed, arrivalOffsetMs: share.arrivalOffsetMs } : {}),
      ...(share?.arrivalsUntilMs !== undefined ? { arrivalsUntilMs: share.arrivalsUntilMs } : {}),
    });
  }
  return new ClosedModel({ ...rest, load, ...(share ? { firstUser: share.firstUser } : {}) });
}
