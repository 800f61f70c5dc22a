import { compareText } from '../../text/compare.ts';
import { asIs, type RecordingPart } from './part.ts';

/** When one release first and last answered (the ends of those responses). */
export interface ReleaseSpan {
  release: string;
  firstMs: number;
  lastMs: number;
}

export interface ReleaseSpansFields {
  /**
   * Only while `bench watch` records (`splitLater`): when each release first and last answered,
   * whatever instance answered for it (an instance keeps the release of its first answer), to find
   * the deploy's window. Never written to results.json.
   */
  releaseSpans?: ReleaseSpan[];
}

/** Distinct releases kept apart, at most. */
const MAX_RELEASE_SPANS = 200;

/** By first answer, then by name: one order for one recording or merged ones. */
function byFirstAnswer(a: ReleaseSpan, b: ReleaseSpan): number {
  return a.firstMs - b.firstMs || compareText(a.release, b.release);
}

/** Spans of the same release joined: the earliest first answer and the latest last one. */
export function joinReleaseSpans(spans: readonly ReleaseSpan[]): ReleaseSpan[] {
  const byRelease = new Map<string, ReleaseSpan>();
  for (const span of spans) {
    const into = byRelease.get(span.release);
    if (!into) byRelease.set(span.release, { ...span });
    else {
      into.firstMs = Math.min(into.firstMs, span.firstMs);
      into.lastMs = Math.max(into.lastMs, span.lastMs);
    }
  }
  return [...byRelease.values()].sort(byFirstAnswer);
}

/** When each release first and last answered (the ends of those responses), for a watch. */
export const releaseSpansPart: RecordingPart<ReleaseSpansFields> = {
  name: 'releaseSpans',
  recorder({ splitLater }) {
    const spans = new Map<string, ReleaseSpan>();
    return {
      record({ release }, { end }) {
        if (!splitLater || release === undefined) return;
        const span = spans.get(release);
        if (span) {
          span.firstMs = Math.min(span.firstMs, end);
          span.lastMs = Math.max(span.lastMs, end);
        } else if (spans.size < MAX_RELEASE_SPANS) {
          spans.set(release, { release, firstMs: end, lastMs: end });
        }
      },
      finish: () => (splitLater ? { releaseSpans: [...spans.values()].sort(byFirstAnswer) } : {}),
    };
  },
  merge(parts) {
    if (!parts.some((p) => p.releaseSpans)) return {};
    return { releaseSpans: joinReleaseSpans(parts.flatMap((p) => p.releaseSpans ?? [])) };
  },
  ...asIs<ReleaseSpansFields>('releaseSpans'),
  schema: (z) => {
    const ms = z.number().finite();
    return {
      releaseSpans: z
        .array(z.object({ release: z.string(), firstMs: ms, lastMs: ms }))
        .max(1000)
        .optional(),
    };
  },
};
