import type { AnalysedRun } from '../analysis/analyse.ts';
import type { EndpointMetrics } from '../analysis/trial-metrics.ts';
import { type SummarisedTrial, spread } from '../analysis/variant-summary.ts';
import { formatCount, formatMs } from '../text/format.ts';

/** Under every per-endpoint table: what "hurt" means (analysis/trial-metrics.ts). */
export const HURT_MEANS =
  'Hurt: during the deploy or after it, the endpoint failed more often than before it, or took longer than the slow threshold where nothing before had. Not judged: no request to it came after the deploy began.';

/** The per-endpoint table's columns, after the endpoint's and the variant's names. */
export const ENDPOINT_COLUMNS = [
  'requests',
  'failed',
  'failed checks',
  'longest',
  'longest user wait',
  'disruption',
  'p99 during',
] as const;

/** One endpoint under one variant: medians over its trials, and whether the deploy hurt it. */
export interface EndpointRow {
  endpoint: string;
  variant: string;
  /**
   * What a deploy did to it (analysis/trial-metrics.ts): hurt in some trial, unharmed in all, or not
   * judged when no request to it came after a trigger.
   */
  verdict: 'hurt' | 'unharmed' | 'not judged';
  /** One per column of ENDPOINT_COLUMNS, formatted. */
  cells: string[];
}

type Figure = (m: EndpointMetrics) => number;

const COLUMN_FIGURES: readonly [Figure, (value: number) => string][] = [
  [(m) => m.requests, formatCount],
  [(m) => m.errors, formatCount],
  [(m) => m.errorsByKind.check, formatCount],
  [(m) => m.longestTransactionMs, formatMs],
  [(m) => m.longestUserWaitMs, formatMs],
  [(m) => m.disruptionMs, formatMs],
  [(m) => m.latency.during.p99, formatMs],
];

/**
 * Every endpoint of every variant, endpoint by endpoint: empty for a scenario without
 * `load.endpoints`. Interrupted trials are left out, as in the comparison table.
 */
export function endpointRows(
  variants: readonly { name: string; trials: readonly SummarisedTrial[] }[],
): EndpointRow[] {
  const names: string[] = [];
  for (const variant of variants)
    for (const trial of variant.trials)
      for (const endpoint of trial.metrics.endpoints ?? [])
        if (!names.includes(endpoint.name)) names.push(endpoint.name);
  return names.flatMap((endpoint) =>
    variants.map((variant) => {
      const figures = variant.trials
        .filter((t) => t.result.status !== 'interrupted')
        .flatMap((t) => t.metrics.endpoints?.filter((e) => e.name === endpoint) ?? []);
      return {
        endpoint,
        variant: variant.name,
        verdict: figures.some((f) => f.hurt)
          ? 'hurt'
          : figures.some((f) => f.hurt === false)
            ? 'unharmed'
            : 'not judged',
        cells: COLUMN_FIGURES.map(([pick, format]) => {
          const { median, min, max } = spread(figures.map(pick));
          return figures.length > 1 && min !== max
            ? `${format(median)} (${format(min)}–${format(max)})`
            : format(median);
        }),
      };
    }),
  );
}

/** The first response of a distinct check failure, where it was seen. */
export interface CheckExampleRow {
  variant: string;
  trial: number;
  endpoint: string;
  check: string;
  status: number;
  /** How many responses failed this check in that trial. */
  count: number;
  /** The body's first bytes, as the target sent them: escape before showing. */
  body: string;
}

/** Every trial's check failure examples, in order of variant and trial. */
export function checkExampleRows(run: AnalysedRun): CheckExampleRow[] {
  return run.variants.flatMap((variant) =>
    variant.trials.flatMap(({ result }) =>
      (result.recording.checkFailures ?? []).map((example) => ({
        variant: variant.name,
        trial: result.trial,
        endpoint: example.endpoint ?? '(request)',
        check: example.check,
        status: example.status,
        count: example.count,
        body: example.body,
      })),
    ),
  );
}
