import { compareText } from '../../text/compare.ts';
import { asIs, type RecordingPart } from './part.ts';

/** The first response that failed one check of one endpoint, and how many failed it in the trial. */
export interface CheckExample {
  /** Absent for the single `load.request`. */
  endpoint?: string;
  /** The check in words, e.g. `status 2xx` or `body contains "<title>"`. */
  check: string;
  status: number;
  /** The body's first bytes (at most 200), as UTF-8. */
  body: string;
  /** When the first one started. */
  t: number;
  count: number;
}

export interface CheckFailuresFields {
  /** The first response of each distinct check failure; absent when no check failed. */
  checkFailures?: CheckExample[];
}

/** Distinct check failures kept as examples, at most (endpoints × checks is far below it). */
const MAX_CHECK_EXAMPLES = 100;

const keyOf = (example: Pick<CheckExample, 'endpoint' | 'check'>) =>
  `${example.endpoint ?? ''}\n${example.check}`;

/** Earliest first; of two at once, by endpoint and check: one order for any merge. */
function byStart(a: CheckExample, b: CheckExample): number {
  return a.t - b.t || compareText(keyOf(a), keyOf(b));
}

/** The first response that failed each check of each endpoint, and how many failed it. */
export const checkFailuresPart: RecordingPart<CheckFailuresFields> = {
  name: 'checkFailures',
  recorder({ endpoints }) {
    const examples = new Map<string, CheckExample>();
    return {
      record(sample) {
        const { check } = sample;
        if (!check) return;
        const endpoint = sample.endpoint !== undefined ? endpoints[sample.endpoint] : undefined;
        const key = keyOf({ endpoint, check: check.check });
        const kept = examples.get(key);
        if (kept) {
          kept.count++;
          // Requests end out of order: the example is the one that started first.
          if (sample.t < kept.t)
            Object.assign(kept, { status: sample.status, body: check.body, t: sample.t });
        } else if (examples.size < MAX_CHECK_EXAMPLES)
          examples.set(key, {
            ...(endpoint !== undefined ? { endpoint } : {}),
            check: check.check,
            status: sample.status,
            body: check.body,
            t: sample.t,
            count: 1,
          });
      },
      finish: () =>
        examples.size > 0 ? { checkFailures: [...examples.values()].sort(byStart) } : {},
    };
  },
  merge(parts) {
    const examples = parts.flatMap((p) => p.checkFailures ?? []);
    if (examples.length === 0) return {};
    const byKey = new Map<string, CheckExample>();
    for (const example of [...examples].sort(byStart)) {
      const kept = byKey.get(keyOf(example));
      if (kept) kept.count += example.count;
      else byKey.set(keyOf(example), { ...example });
    }
    // Bounded as one recorder is (results.json's schema holds it to that too): the earliest kept.
    return { checkFailures: [...byKey.values()].sort(byStart).slice(0, MAX_CHECK_EXAMPLES) };
  },
  ...asIs<CheckFailuresFields>('checkFailures'),
  schema: (z) => ({
    checkFailures: z
      .array(
        z.object({
          endpoint: z.string().max(200).optional(),
          check: z.string().max(20_000),
          status: z.number().int(),
          body: z.string().max(2000),
          t: z.number().finite(),
          count: z.number().int().nonnegative(),
        }),
      )
      .max(1000)
      .optional(),
  }),
};
