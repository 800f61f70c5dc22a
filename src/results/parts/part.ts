import type { z } from 'zod';
import type { DeployEvent } from '../deploy-events.ts';
import type { Phase } from '../phase.ts';
import type { Sample } from '../sample.ts';

/** What a part's recorder is told of each request beside the sample itself. */
export interface SampleContext {
  /** When the response (or the error) came: `t + latencyMs`. */
  end: number;
  /** The deploy phase the recorder put it in. */
  phase: Phase;
}

/** How the trial is recorded, as far as a part needs to know. */
export interface PartOptions {
  intervalMs: number;
  /** The names of `load.endpoints`, by a sample's `endpoint`; empty for the single request. */
  endpoints: readonly string[];
  /** The deploy's window is found afterwards (`bench watch`). */
  splitLater: boolean;
  /** The slow threshold, once it is known (set by the scenario, or at the trigger). */
  slowThresholdMs: () => number | undefined;
}

/** One generator's recorder of one part. */
export interface PartRecorder<Fields> {
  record(sample: Sample, context: SampleContext): void;
  /** A deploy event, in order with the samples (those that end after it come after it). */
  event?(event: DeployEvent): void;
  /** What it recorded, as its fields of the recording. */
  finish(): Fields;
}

/**
 * One dimension of the recording, whole in one module: how a generator records it, how the parts
 * of several generators (worker threads, shards) add up, how results.json carries it, and its
 * schema there. The recorder, the merge and the codec loop over every part (parts/registry.ts),
 * so that a new dimension is a new module, carried through threads and shards exactly. Each part's
 * merge has a property test: recorded in pieces and merged, it equals what one recorder gives.
 */
export interface RecordingPart<Fields extends object, Encoded extends object = Fields> {
  name: string;
  /**
   * It also records the probe's requests (`load.probe`). The other parts never see them: the
   * users' figures stay those of the users, comparable to siege's.
   */
  takesProbes?: true;
  /** Undefined when it has nothing to record with these options: it stays off the hot path. */
  recorder(options: PartOptions): PartRecorder<Fields> | undefined;
  /** The parts of several generators (whole recordings: each part reads its own fields). */
  merge(parts: readonly Fields[]): Fields;
  /** Its fields of a recording as results.json and the generator threads carry them ... */
  encode(recording: Fields): Encoded;
  /** ... and back, from the encoded recording once the schema has checked it. */
  decode(encoded: Encoded): Fields;
  /** Its fields of the encoded recording's schema; zod is handed in: threads never load it. */
  schema(zod: typeof z): z.ZodRawShape;
}

/** Encoded as they are: the fields of a part of plain JSON data, picked from the recording. */
export function asIs<Fields extends object>(
  ...keys: (keyof Fields)[]
): Pick<RecordingPart<Fields>, 'encode' | 'decode'> {
  const pick = (from: Fields) =>
    Object.fromEntries(keys.flatMap((key) => (key in from ? [[key, from[key]]] : []))) as Fields;
  return { encode: pick, decode: pick };
}
