import type { z } from 'zod';
import { type AnswersFields, answersPart } from './answers.ts';
import { type CheckFailuresFields, checkFailuresPart } from './check-failures.ts';
import { type ConnectionKindsFields, connectionKindsPart } from './connection-kinds.ts';
import { type DrainsFields, drainsPart } from './drains.ts';
import { type InstancesFields, type InstancesRecorder, instancesPart } from './instances.ts';
import { type LongestFields, longestPart } from './longest.ts';
import type { PartOptions, PartRecorder, RecordingPart } from './part.ts';
import { type ReleaseSpansFields, releaseSpansPart } from './release-spans.ts';

/** Every part of the recording kept by a module of its own (results/parts/part.ts). */
const RECORDING_PARTS: readonly RecordingPart<object, object>[] = [
  longestPart,
  instancesPart,
  releaseSpansPart,
  checkFailuresPart,
  connectionKindsPart,
  answersPart,
  drainsPart,
];

/** The recording's fields that the parts keep, each part its own. */
export type PartFields = LongestFields &
  InstancesFields &
  ReleaseSpansFields &
  CheckFailuresFields &
  ConnectionKindsFields &
  AnswersFields &
  DrainsFields;

/**
 * A recorder of every part that has something to record, in order; the instances' among them,
 * which the live view reads.
 */
export function partRecorders(options: PartOptions): {
  all: PartRecorder<object>[];
  /** Those of `all` that also record the probe's requests. */
  probed: PartRecorder<object>[];
  instances: InstancesRecorder;
} {
  const instances = instancesPart.recorder(options);
  const recorders = RECORDING_PARTS.flatMap((part) => {
    const recorder = part === instancesPart ? instances : part.recorder(options);
    return recorder ? [{ part, recorder }] : [];
  });
  return {
    all: recorders.map(({ recorder }) => recorder),
    probed: recorders.flatMap(({ part, recorder }) => (part.takesProbes ? [recorder] : [])),
    instances,
  };
}

export function finishParts(recorders: readonly PartRecorder<object>[]): PartFields {
  return Object.assign({}, ...recorders.map((recorder) => recorder.finish())) as PartFields;
}

export function mergeParts(recordings: readonly PartFields[]): PartFields {
  return Object.assign({}, ...RECORDING_PARTS.map((part) => part.merge(recordings))) as PartFields;
}

export function encodeParts(recording: PartFields): object {
  return Object.assign({}, ...RECORDING_PARTS.map((part) => part.encode(recording)));
}

export function decodeParts(encoded: object): PartFields {
  return Object.assign({}, ...RECORDING_PARTS.map((part) => part.decode(encoded))) as PartFields;
}

/** Every part's fields of the encoded recording's schema. */
export function partsSchema(zod: typeof z): z.ZodRawShape {
  return Object.assign({}, ...RECORDING_PARTS.map((part) => part.schema(zod)));
}
