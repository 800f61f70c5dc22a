import { z } from 'zod';
import { DEPLOY_PHASES } from './deploy-events.ts';
import { isDecodableHistogram } from './histogram.ts';
import { MAX_READ_INTERVALS } from './limits.ts';
import { type PartFields, partsSchema } from './parts/registry.ts';
import type { ErrorKind } from './sample.ts';

/*
 * A recording as results.json and the generator threads carry it, checked when read. Apart from the
 * codec, which needs only its types: a generator thread encodes without loading zod.
 */
const count = z.number().int().nonnegative();
const ms = z.number().finite();
/** HdrHistogram's compressed base64 ("HISTF…"); decoded, and checked, when the file is read. */
const histogram = z
  .string()
  .regex(/^[A-Za-z0-9+/]+=*$/, 'expected a compressed HdrHistogram')
  .refine(isDecodableHistogram, 'expected a compressed HdrHistogram as this tool writes it');
/** Keyed by the target's words (a status, a release); decoding gives them no prototype (`countsOf`). */
const counts = z.record(z.string(), count);

const encodedBucket = z.object({
  latency: histogram,
  requests: count,
  failures: count,
  statuses: counts,
  errors: z.object({
    refused: count,
    reset: count,
    timeout: count,
    other: count,
    // Written before responses were checked: none failed a check.
    check: count.default(0),
  } satisfies Record<ErrorKind, z.ZodType>),
  releases: counts,
  bytes: count,
  // Written before the open model dropped or retried anything: none.
  dropped: count.default(0),
  retried: count.default(0),
  maxMs: ms,
  success: z.object({ count, sumMs: ms, minMs: ms.nullable(), maxMs: ms }),
});

const phasesOf = <T extends z.ZodType>(item: T) =>
  z.object({ before: item, during: item, after: item });

const deployEvent = z.object({
  t: ms,
  phase: z.enum(DEPLOY_PHASES),
  detail: z.string().optional(),
  instance: z.string().optional(),
});

const moment = ms.nullable();

const userWait = z.object({ ms, user: z.number().int(), startMs: ms, resolved: z.boolean() });

/** The recording's own fields; the parts' are added below. */
const recordingCore = z.object({
  intervalMs: z.number().positive().finite(),
  durationMs: z.number().nonnegative().finite(),
  overall: encodedBucket,
  phases: phasesOf(encodedBucket),
  intervals: z.array(encodedBucket).max(MAX_READ_INTERVALS),
  longestUserWait: userWait.optional(),
  disruption: z.object({
    ms,
    thresholdMs: ms,
    thresholdSource: z.enum(['scenario', 'baseline', 'default']),
    spans: z.array(z.tuple([ms, ms])),
  }),
  alternateLatency: z
    .object({
      kind: z.enum(['corrected', 'service']),
      expectedIntervalMs: ms.optional(),
      overall: histogram,
      phases: phasesOf(histogram),
    })
    .optional(),
  timeline: z.array(deployEvent),
  lifecycle: z
    .array(
      z.object({
        id: z.string(),
        release: z.string(),
        startedAt: moment,
        upAt: moment,
        routedAt: moment,
        unroutedAt: moment,
        stoppingAt: moment,
        stoppedAt: moment,
        exit: z.string().nullable(),
        drain: z
          .object({
            inFlight: count,
            answered: count,
            cut: count,
            gone: count,
            answeredForMs: ms.nullable(),
          })
          .optional(),
      }),
    )
    .optional(),
  followerTails: z.array(encodedBucket).max(MAX_READ_INTERVALS).optional(),
  /** Only between a watching generator thread and its merge (`Recording.unsplit`). */
  unsplit: z.array(encodedBucket).max(MAX_READ_INTERVALS).optional(),
  connections: count.optional(),
  endpoints: z
    .array(
      z.object({
        name: z.string().max(200),
        phases: phasesOf(encodedBucket),
        followerTails: z.array(encodedBucket).max(MAX_READ_INTERVALS).optional(),
        unsplit: z.array(encodedBucket).max(MAX_READ_INTERVALS).optional(),
        longestUserWait: userWait.optional(),
        disruption: z.object({ ms, spans: z.array(z.tuple([ms, ms])) }),
      }),
    )
    .max(1000)
    .optional(),
});

/**
 * A recording as results.json stores it. The encoder's output type is this schema's, so that what
 * is written is what is read; the reader checks every field before any report uses it. The parts
 * kept by modules of their own (results/parts/) each bring their schema, and are typed by their
 * fields (a part's round trip through JSON and its schema is tested with its merge).
 */
export const encodedRecordingSchema = recordingCore.extend(partsSchema(z)) as unknown as z.ZodType<
  z.output<typeof recordingCore> & PartFields,
  z.input<typeof recordingCore> & PartFields
>;

export type EncodedRecording = z.input<typeof encodedRecordingSchema>;
export type EncodedBucket = z.input<typeof encodedBucket>;
export type EncodedEndpoint = NonNullable<EncodedRecording['endpoints']>[number];
