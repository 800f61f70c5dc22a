import { compareText } from '../../text/compare.ts';
import { Coverage, unionOfSpans } from '../coverage.ts';
import { MAX_READ_INTERVALS } from '../limits.ts';
import { isFailure } from '../sample.ts';
import type { PartOptions, PartRecorder, RecordingPart } from './part.ts';

/**
 * One instance as the load saw it: the responses it answered. An instance is named by
 * `load.instanceHeader` (or the embedded router's header), else by the release that answered.
 */
export interface InstanceTraffic {
  id: string;
  /** The release of its first response, when the response named one. */
  release?: string;
  /** End of the first and of the last response it answered (when the user got it). */
  firstMs: number;
  lastMs: number;
  requests: number;
  /** Responses it answered per interval, by the interval in which each ended. */
  perInterval: number[];
  /**
   * Of those, the ones in trouble: a failure (a 5xx, a failed check), or slower than the slow
   * threshold (once it is known) and than a wait users notice. Absent when it answered none so.
   */
  troubled?: number[];
  /** When its answers in trouble were sent and came, merged (to TROUBLE_RESOLUTION_MS). */
  troubleSpans?: [number, number][];
}

/**
 * An answer is in trouble only if slower than this too: a new process's first requests are often a
 * JIT's 100 ms slower, which no user notices, and which a low slow threshold would count.
 */
export const NOTICEABLE_WAIT_MS = 500;

/** The resolution of an instance's trouble spans: fine enough for a first second, light for 200. */
const TROUBLE_RESOLUTION_MS = 10;

export interface InstancesFields {
  /** The instances that answered, in order of their first response. */
  instances: InstanceTraffic[];
}

/** Distinct instance names kept apart, at most; the rest are counted as OTHER_INSTANCES. */
export const MAX_INSTANCES = 200;
export const OTHER_INSTANCES = '(other instances)';

/** The order of lanes: by first response, then by name, the same for one recording or merged ones. */
export function byFirstResponse(a: InstanceTraffic, b: InstanceTraffic): number {
  return a.firstMs - b.firstMs || compareText(a.id, b.id);
}

/** The instances recorder, which the live view also reads: responses per instance so far. */
export interface InstancesRecorder extends PartRecorder<InstancesFields> {
  answeredBy(): Iterable<[string, number]>;
  /** Each instance's traffic so far, for a live view: read, never changed. */
  soFar(): Iterable<Readonly<InstanceTraffic>>;
}

/** The instances part, whose recorder the live view reads too. */
export interface InstancesPart extends RecordingPart<InstancesFields> {
  recorder(options: Pick<PartOptions, 'intervalMs' | 'slowThresholdMs'>): InstancesRecorder;
}

/**
 * Each instance's traffic as the load saw it, named by `load.instanceHeader` (or the embedded
 * router's header), else by the release that answered: its first and last answer, and its answers
 * per interval (by the interval each ended in). Exact through a merge while a trial names at most
 * MAX_INSTANCES instances.
 */
export const instancesPart: InstancesPart = {
  name: 'instances',
  recorder({ intervalMs, slowThresholdMs }) {
    // A Map: ids come from the target's headers (`__proto__` included).
    const instances = new Map<string, InstanceTraffic>();
    const troubles = new Map<InstanceTraffic, Coverage>();
    return {
      record(sample, { end }) {
        const name = sample.instance ?? sample.release;
        if (name === undefined) return;
        let traffic = instances.get(name);
        if (!traffic) {
          // A header that names every request would make a lane per request: past a bound, one lane.
          const id = instances.size >= MAX_INSTANCES ? OTHER_INSTANCES : name;
          traffic = instances.get(id);
          if (!traffic) {
            traffic = { id, firstMs: end, lastMs: end, requests: 0, perInterval: [] };
            if (sample.release !== undefined && id === name) traffic.release = sample.release;
            instances.set(id, traffic);
          }
        }
        traffic.firstMs = Math.min(traffic.firstMs, end);
        traffic.lastMs = Math.max(traffic.lastMs, end);
        traffic.requests++;
        const i = Math.max(0, Math.floor(end / intervalMs));
        countAt(traffic.perInterval, i);
        const threshold = slowThresholdMs();
        if (
          isFailure(sample) ||
          (threshold !== undefined && sample.latencyMs > Math.max(threshold, NOTICEABLE_WAIT_MS))
        ) {
          traffic.troubled ??= [];
          countAt(traffic.troubled, i);
          let spans = troubles.get(traffic);
          if (!spans) {
            spans = new Coverage(TROUBLE_RESOLUTION_MS);
            troubles.set(traffic, spans);
          }
          spans.mark(sample.t, end);
        }
      },
      *answeredBy() {
        for (const [id, traffic] of instances) yield [id, traffic.requests];
      },
      soFar: () => instances.values(),
      finish: () => {
        for (const [traffic, spans] of troubles) traffic.troubleSpans = spans.spans();
        return { instances: [...instances.values()].sort(byFirstResponse) };
      },
    };
  },
  merge(parts) {
    const byId = new Map<string, InstanceTraffic>();
    for (const part of parts.flatMap((p) => p.instances)) {
      const into = byId.get(part.id);
      if (!into) {
        byId.set(part.id, {
          ...part,
          perInterval: [...part.perInterval],
          ...(part.troubled ? { troubled: [...part.troubled] } : {}),
        });
        continue;
      }
      into.release ??= part.release;
      into.firstMs = Math.min(into.firstMs, part.firstMs);
      into.lastMs = Math.max(into.lastMs, part.lastMs);
      into.requests += part.requests;
      addCounts(into.perInterval, part.perInterval);
      if (part.troubled) {
        into.troubled ??= [];
        addCounts(into.troubled, part.troubled);
      }
      if (part.troubleSpans)
        into.troubleSpans = unionOfSpans([...(into.troubleSpans ?? []), ...part.troubleSpans]);
    }
    return { instances: [...byId.values()].sort(byFirstResponse) };
  },
  encode: ({ instances }) => ({ instances }),
  // Written before instances were recorded: none known.
  decode: (encoded: Partial<InstancesFields>) => ({ instances: encoded.instances ?? [] }),
  schema: (z) => {
    const ms = z.number().finite();
    const count = z.number().int().nonnegative();
    return {
      // Written before instances were recorded: none known.
      instances: z
        .array(
          z.object({
            id: z.string(),
            release: z.string().optional(),
            firstMs: ms,
            lastMs: ms,
            requests: count,
            perInterval: z.array(count).max(MAX_READ_INTERVALS),
            // Written since the findings read them; absent when it answered none in trouble.
            troubled: z.array(count).max(MAX_READ_INTERVALS).optional(),
            troubleSpans: z
              .array(z.tuple([ms, ms]))
              .max(1_000_000)
              .optional(),
          }),
        )
        .default([]),
    };
  },
};

/** One more at interval `i`, the intervals before it counted as none. */
function countAt(counts: number[], i: number): void {
  while (counts.length <= i) counts.push(0);
  counts[i] = (counts[i] as number) + 1;
}

/** `from`'s counts added into `into`, interval by interval. */
function addCounts(into: number[], from: readonly number[]): void {
  while (into.length < from.length) into.push(0);
  from.forEach((count, i) => {
    into[i] = (into[i] ?? 0) + count;
  });
}
