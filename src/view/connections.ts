import type { ConnectionMetrics } from '../analysis/trial-metrics.ts';
import { median, type SummarisedTrial } from '../analysis/variant-summary.ts';
import type { ConnectionKind } from '../results/sample.ts';
import { formatCount, formatMs } from '../text/format.ts';

/** The per-connection table's columns, after the variant's name and the kind's. */
export const CONNECTION_COLUMNS = [
  'requests',
  'failed',
  'refused',
  'reset',
  'resent after a reset',
  '5xx',
  'longest',
  'disruption',
] as const;

const KIND_NAMES: Record<ConnectionKind, string> = {
  new: 'new connections',
  reused: 'kept-alive connections',
};

/** Under every per-connection table: what the two kinds are, and why they are apart. */
export const CONNECTIONS_MEAN =
  'A new connection is one opened for the request: a user’s first, one after a connection closed, and each of the probe’s where it ran (load.probe: a few a second beside the users, counted only here); a kept-alive one had already served a request. They break for different reasons: a port with nothing listening refuses new ones; a process that exits without draining resets the kept-alive ones. Resent after a reset: a kept-alive connection reset before any answer, the request sent again at once (a browser hides it for a GET; a POST fails).';

/** Under the table in the terminal, where the probe ran: what its requests are, and where they count. */
export const PROBE_NOTE =
  'Probe requests (load.probe): a few a second beside the users, each on a new connection; they count only in this table and the findings, not in the verdict or the siege block.';

export interface ConnectionRow {
  variant: string;
  kind: string;
  /** Of its requests, the probe's (median over the trials). */
  probes: number;
  /** One per column of CONNECTION_COLUMNS, formatted: medians over the trials. */
  cells: string[];
}

const FIGURES: readonly [(m: ConnectionMetrics) => number, (value: number) => string][] = [
  [(m) => m.requests, formatCount],
  [(m) => m.failures, formatCount],
  [(m) => m.errorsByKind.refused, formatCount],
  [(m) => m.errorsByKind.reset, formatCount],
  [(m) => m.retried, formatCount],
  [(m) => m.errorsByKind.http5xx, formatCount],
  [(m) => m.longestMs, formatMs],
  [(m) => m.disruptionMs, formatMs],
];

/**
 * Each variant's requests by kind of connection, where both kinds were sent in some trial of the
 * run (otherwise the comparison table says it all); trials measured to their end, medians.
 */
export function connectionRows(
  variants: readonly { name: string; trials: readonly SummarisedTrial[] }[],
): ConnectionRow[] {
  const counted = (trials: readonly SummarisedTrial[]) =>
    trials.filter((t) => t.result.status !== 'interrupted');
  const bothRan = variants.some((v) =>
    counted(v.trials).some((t) => t.metrics.byConnection?.new && t.metrics.byConnection.reused),
  );
  if (!bothRan) return [];
  return variants.flatMap((variant) =>
    (['new', 'reused'] as const).flatMap((kind) => {
      const figures = counted(variant.trials).flatMap((t) => {
        const m = t.metrics.byConnection?.[kind];
        return m ? [m] : [];
      });
      if (figures.length === 0) return [];
      const probes = median(figures.map((m) => m.probes));
      return [
        {
          variant: variant.name,
          probes,
          kind:
            probes > 0
              ? `${KIND_NAMES[kind]} (incl. ${formatCount(probes)} probe requests)`
              : KIND_NAMES[kind],
          cells: FIGURES.map(([figure, format]) => format(median(figures.map(figure)))),
        },
      ];
    }),
  );
}
