import { compareText } from '../../text/compare.ts';
import { isFailure } from '../sample.ts';
import { asIs, type RecordingPart } from './part.ts';

/**
 * One instance's drain as the traffic saw it, from the moment a deploy said it was told to stop (a
 * command driver's `stopping` marker that names it): the requests in flight then — answered by it,
 * cut on a connection it had answered on last, or given up by the client — and how long it went on
 * answering.
 */
export interface TrafficDrain {
  /** Named as the traffic names it: its instance header, else its release. */
  instance: string;
  /** When it was told to stop, on the trial's clock. */
  toldAt: number;
  inFlight: number;
  /** Answered by it without failing ... */
  answered: number;
  /** ... failed: no answer, or its own 5xx or failed check ... */
  cut: number;
  /** ... or given up by the client (its timeout) on a connection it had answered on last. */
  gone: number;
  /** From then to its last answer; null when it answered nothing after. */
  answeredForMs: number | null;
}

export interface DrainsFields {
  /** Only when a marker named an instance told to stop. */
  drains?: TrafficDrain[];
}

/** Instances whose drains are followed, at most: a marker that names every line is not one. */
const MAX_DRAINS = 50;
/** In a merge of several recorders, each of which followed its first MAX_DRAINS. */
const MAX_MERGED_DRAINS = 10_000;

function byToldAt(a: TrafficDrain, b: TrafficDrain): number {
  return a.toldAt - b.toldAt || compareText(a.instance, b.instance);
}

/**
 * The drains of instances a deploy named as told to stop (`deploy.markers` with a `stopping` phase
 * whose pattern's group `instance` catches the instance). Requests are told apart from the moment
 * the line is read: a deploy that stops the instance before it prints the line shows no drain. The
 * embedded platform's router records its own (`lifecycle[].drain`); this is what the traffic shows
 * of any other target's.
 */
export const drainsPart: RecordingPart<DrainsFields> = {
  name: 'drains',
  recorder() {
    // A Map: names come from the deploy's output and the target's headers.
    const drains = new Map<string, TrafficDrain>();
    return {
      event(event) {
        if (event.phase !== 'stopping' || event.instance === undefined) return;
        if (drains.has(event.instance) || drains.size >= MAX_DRAINS) return;
        drains.set(event.instance, {
          instance: event.instance,
          toldAt: event.t,
          inFlight: 0,
          answered: 0,
          cut: 0,
          gone: 0,
          answeredForMs: null,
        });
      },
      record(sample, { end }) {
        if (drains.size === 0) return;
        // Who it was about: whoever answered it, or, without an answer, whoever answered last on
        // its connection (a kept-alive one: a new connection names nobody).
        const by = sample.status > 0 ? (sample.instance ?? sample.release) : sample.lastAnsweredBy;
        if (by === undefined) return;
        const drain = drains.get(by);
        if (!drain || end < drain.toldAt) return;
        const failed = isFailure(sample);
        if (sample.t < drain.toldAt) {
          drain.inFlight++;
          if (!failed) drain.answered++;
          else if (sample.error === 'timeout') drain.gone++;
          else drain.cut++;
        }
        if (sample.status > 0)
          drain.answeredForMs = Math.max(drain.answeredForMs ?? 0, end - drain.toldAt);
      },
      finish: () => (drains.size > 0 ? { drains: [...drains.values()].sort(byToldAt) } : {}),
    };
  },
  merge(parts) {
    const byInstance = new Map<string, TrafficDrain>();
    for (const drain of parts.flatMap((p) => p.drains ?? [])) {
      const into = byInstance.get(drain.instance);
      if (!into) {
        byInstance.set(drain.instance, { ...drain });
        continue;
      }
      into.inFlight += drain.inFlight;
      into.answered += drain.answered;
      into.cut += drain.cut;
      into.gone += drain.gone;
      // The same event reached every recorder; the earliest, should clocks ever differ.
      into.toldAt = Math.min(into.toldAt, drain.toldAt);
      if (drain.answeredForMs !== null)
        into.answeredForMs = Math.max(into.answeredForMs ?? 0, drain.answeredForMs);
    }
    return byInstance.size > 0 ? { drains: [...byInstance.values()].sort(byToldAt) } : {};
  },
  ...asIs<DrainsFields>('drains'),
  schema: (z) => {
    const count = z.number().int().nonnegative();
    const ms = z.number().finite();
    return {
      drains: z
        .array(
          z.object({
            instance: z.string(),
            toldAt: ms,
            inFlight: count,
            answered: count,
            cut: count,
            gone: count,
            answeredForMs: ms.nullable(),
          }),
        )
        .max(MAX_MERGED_DRAINS)
        .optional(),
    };
  },
};
