import type { LoadConfig } from '../scenario/schema.ts';
import type { Clock } from '../trial/clock.ts';
import { ClosedModel } from './closed-model.ts';
import type { LoadGenerator } from './load-generator.ts';
import { OpenModel } from './open-model.ts';
import type { Sample } from './sample.ts';

/** The scenario's load model, ready to start. */
export function createLoadGenerator(options: {
  origin: string;
  load: LoadConfig;
  clock: Clock;
  onSample: (sample: Sample) => void;
  onDropped: (t: number) => void;
}): LoadGenerator {
  const { load, ...rest } = options;
  return load.model === 'open'
    ? new OpenModel({ ...rest, load })
    : new ClosedModel({ ...rest, load });
}
