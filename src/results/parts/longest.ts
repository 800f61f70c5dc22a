import { ERROR_KINDS, type ErrorKind } from '../sample.ts';
import { asIs, type RecordingPart } from './part.ts';

export interface LongTransaction {
  t: number;
  latencyMs: number;
  status: number;
  error?: ErrorKind;
  release?: string;
  user: number;
}

export interface LongestFields {
  /** The LONGEST_KEPT longest transactions, longest first. */
  longest: LongTransaction[];
}

/** The longest transactions kept, whatever the load: a merge keeps as many. */
export const LONGEST_KEPT = 10;

/** Longest first; of equal ones, the earliest, then the lowest user: one order for any merge. */
function byLength(a: LongTransaction, b: LongTransaction): number {
  return b.latencyMs - a.latencyMs || a.t - b.t || a.user - b.user;
}

/** The K longest transactions of the trial, failed ones included. */
export const longestPart: RecordingPart<LongestFields> = {
  name: 'longest',
  recorder() {
    const kept: LongTransaction[] = [];
    return {
      record(sample) {
        const shortest = kept.at(-1);
        if (kept.length >= LONGEST_KEPT && shortest && byLength(sample, shortest) >= 0) return;
        const entry: LongTransaction = {
          t: sample.t,
          latencyMs: sample.latencyMs,
          status: sample.status,
          user: sample.user,
          ...(sample.error ? { error: sample.error } : {}),
          ...(sample.release !== undefined ? { release: sample.release } : {}),
        };
        const at = kept.findIndex((other) => byLength(entry, other) < 0);
        kept.splice(at < 0 ? kept.length : at, 0, entry);
        if (kept.length > LONGEST_KEPT) kept.pop();
      },
      finish: () => ({ longest: kept }),
    };
  },
  merge: (parts) => ({
    longest: parts
      .flatMap((p) => p.longest)
      .sort(byLength)
      .slice(0, LONGEST_KEPT),
  }),
  ...asIs<LongestFields>('longest'),
  schema: (z) => {
    const ms = z.number().finite();
    return {
      longest: z
        .array(
          z.object({
            t: ms,
            latencyMs: ms,
            status: z.number().int(),
            error: z.enum(ERROR_KINDS as [ErrorKind, ...ErrorKind[]]).optional(),
            release: z.string().optional(),
            user: z.number().int(),
          }),
        )
        .max(1000),
    };
  },
};
