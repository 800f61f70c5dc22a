import { formatMs } from '../text/format.ts';
import type { RunOutcome } from './outcome.ts';
import { mannWhitney, SIGNIFICANCE, tellApart } from './statistics.ts';
import type { SummaryMetric, VariantSummary } from './variant-summary.ts';

/**
 * What the verdict ranks by, in order: what users felt first. The longest user wait counts failed
 * requests (a refusal followed by a 3 s wait is a 3 s wait, however fast the refusal), then the
 * number of failed requests, then the longest transaction.
 */
const RANKED_BY = [
  'longestUserWaitMs',
  'errors',
  'longestTransactionMs',
] as const satisfies readonly SummaryMetric[];

export type RankingMetric = (typeof RANKED_BY)[number];

export interface VariantComparison {
  variant: string;
  /** This variant's median longest transaction divided by the baseline's. */
  longestTransactionRatio: number;
  longestUserWaitRatio: number;
  /** Mann–Whitney on the trials' longest transactions against the baseline's; null for the baseline. */
  longestTransactionTest: { p: number; minimumP: number; beyondNoise: boolean } | null;
  /** Place in the ranking, 1 for the best; null when no variant is named best, or for one left out. */
  rank: number | null;
  /** Why the variant may not win (its deploy failed, a trial was interrupted…); null when it may. */
  leftOut: string | null;
}

export interface Comparison {
  /** The first variant of the scenario: the ratios compare every other one with it. */
  baseline: string;
  /** The figures the ranking reads, in order (medians over trials, lower is better). */
  rankedBy: RankingMetric[];
  /**
   * The variant users fared best with; null when no variant may win (the run failed, fewer than two
   * were measured whole), when the leaders are equal, or when several trials put their difference
   * within the noise.
   */
  best: string | null;
  /** The figure that separated the best from the next one. */
  decidedBy: RankingMetric | null;
  variants: VariantComparison[];
  /** One sentence a reader can quote, which claims no difference the trials do not support. */
  headline: string;
}

type Named = { name: string; summary: VariantSummary };

/** Ranks the variants by what users felt; `outcome` is the run's (a failed run has no winner). */
export function compareVariants(summaries: Named[], outcome: RunOutcome): Comparison {
  const [baseline] = summaries;
  if (!baseline) {
    return {
      baseline: '',
      rankedBy: [...RANKED_BY],
      best: null,
      decidedBy: null,
      variants: [],
      headline: 'nothing was measured',
    };
  }
  const eligible = summaries.filter((s) => leftOutBecause(s.summary) === null);
  const ranked = [...eligible].sort(byRanking);
  const decision = decide(ranked, summaries.length, outcome);
  // Places only under a verdict: a script reading `rank === 1` must not find a winner `best` denies.
  const rankOf = (name: string) => {
    if (decision.best === null) return null;
    const place = ranked.findIndex((r) => r.name === name);
    return place < 0 ? null : place + 1;
  };
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  const variants = summaries.map(({ name, summary }, i): VariantComparison => {
    const test =
      i === 0
        ? undefined
        : mannWhitney(
            summary.metrics.longestTransactionMs.values,
            baseline.summary.metrics.longestTransactionMs.values,
          );
    return {
      variant: name,
      longestTransactionRatio: ratio(
        summary.metrics.longestTransactionMs.median,
        baseline.summary.metrics.longestTransactionMs.median,
      ),
      longestUserWaitRatio: ratio(
        summary.metrics.longestUserWaitMs.median,
        baseline.summary.metrics.longestUserWaitMs.median,
      ),
      longestTransactionTest: test ? { ...test, beyondNoise: test.p < SIGNIFICANCE } : null,
      rank: rankOf(name),
      leftOut: leftOutBecause(summary),
    };
  });
  return {
    baseline: baseline.name,
    rankedBy: [...RANKED_BY],
    best: decision.best,
    decidedBy: decision.decidedBy,
    variants,
    headline: headline(summaries, ranked, decision),
  };
}

/** Why a variant may not win: it was not measured whole, or its deploy failed. */
function leftOutBecause(summary: VariantSummary): string | null {
  const { trials, failedTrials, interruptedTrials } = summary;
  if (failedTrials > 0)
    return `its deploy failed in ${failedTrials} of ${trials} trial${trials === 1 ? '' : 's'}`;
  if (interruptedTrials > 0)
    return `${interruptedTrials === 1 ? 'a trial was' : `${interruptedTrials} trials were`} interrupted`;
  if (trials === 0) return 'nothing was measured';
  return null;
}

/**
 * Two medians of a ranking figure, compared: negative when `a` is better (lower). Latencies count in
 * whole milliseconds (a 0.3 ms lead is no winner), which keeps the order the same whatever the
 * scenario's order of variants.
 */
function compareOn(metric: RankingMetric, a: Named, b: Named): number {
  const x = a.summary.metrics[metric].median;
  const y = b.summary.metrics[metric].median;
  return metric === 'errors' ? x - y : Math.round(x) - Math.round(y);
}

function byRanking(a: Named, b: Named): number {
  for (const metric of RANKED_BY) {
    const order = compareOn(metric, a, b);
    if (order !== 0) return order;
  }
  return 0;
}

interface Decision {
  best: string | null;
  decidedBy: RankingMetric | null;
  /** What the sentence says after the figures. */
  conclusion: string;
}

function decide(ranked: Named[], variantCount: number, outcome: RunOutcome): Decision {
  const none = (conclusion: string): Decision => ({ best: null, decidedBy: null, conclusion });
  // A deploy that failed is named among those left out; another failure (a hook, the target) here.
  if (outcome.kind === 'failed')
    return none(
      ranked.length < variantCount ? 'no winner: the run failed' : `no winner: ${outcome.reason}`,
    );
  const [first, second] = ranked;
  // One variant alone has nobody to beat.
  if (!first || !second) return none(variantCount > 1 ? 'no winner' : '');
  const decidedBy = RANKED_BY.find((metric) => compareOn(metric, first, second) !== 0);
  if (!decidedBy) return none(`no difference between ${first.name} and ${second.name}`);
  const lead = leadOf(decidedBy, first, second);
  // The one rule of the verdict and of `bench compare` (analysis/statistics.ts tellApart).
  const better = (x: number, y: number) =>
    decidedBy === 'errors' ? x < y : Math.round(x) < Math.round(y);
  const { told, beyondNoise, evidence } = tellApart(
    first.summary.metrics[decidedBy].values,
    second.summary.metrics[decidedBy].values,
    better,
  );
  if (!told) return none(`${lead}, but within the noise (${evidence}): no winner`);
  return {
    best: first.name,
    decidedBy,
    conclusion: `${lead} (${beyondNoise ? 'beyond the noise: ' : ''}${evidence})`,
  };
}

/** "preboot's longest wait 37× shorter than stop-start's", on the figure that decided. */
function leadOf(metric: RankingMetric, best: Named, next: Named): string {
  const x = best.summary.metrics[metric].median;
  const y = next.summary.metrics[metric].median;
  if (metric === 'errors') return `${best.name} failed ${x} requests, ${next.name} ${y}`;
  const what = metric === 'longestUserWaitMs' ? 'longest wait' : 'longest transaction';
  if (x <= 0) return `${best.name}'s ${what} ${formatMs(x)} against ${next.name}'s ${formatMs(y)}`;
  const factor = y / x;
  // "1.0× shorter" says nothing: a small lead reads as a percentage.
  const shown =
    factor >= 10
      ? `${Math.round(factor)}×`
      : factor >= 1.1
        ? `${factor.toFixed(1)}×`
        : `${Math.max(1, Math.round(100 * (1 - x / y)))} %`;
  return `${best.name}'s ${what} ${shown} shorter than ${next.name}'s`;
}

/**
 * "preboot: users waited at most 114 ms, 0 failed; stop-start: 4.23 s, 0 failed — preboot's longest
 * wait 37× shorter than stop-start's", then what the trials say of it, and who was left out and why.
 */
function headline(summaries: Named[], ranked: Named[], decision: Decision): string {
  // With a winner, the sentence starts with it and follows the ranking: the answer comes first.
  const ordered =
    decision.best === null
      ? summaries
      : [...ranked, ...summaries.filter((s) => !ranked.includes(s))];
  const measured = ordered.filter((s) => s.summary.trials > 0);
  if (measured.length === 0) return 'no trial was measured to its end';
  const parts = measured.map(({ name, summary }, i) => {
    const wait = formatMs(summary.metrics.longestUserWaitMs.median);
    const failed = summary.metrics.errors.median;
    return `${name}: ${i === 0 ? 'users waited at most ' : ''}${wait}, ${failed} failed`;
  });
  const leftOut = summaries.flatMap(({ name, summary }) => {
    const why = leftOutBecause(summary);
    return why ? [`${name} left out: ${why}`] : [];
  });
  const tail = [decision.conclusion, ...leftOut].filter((s) => s !== '').join('; ');
  return tail === '' ? parts.join('; ') : `${parts.join('; ')} — ${tail}`;
}
