import { formatMs } from '../scenario/duration.ts';
import { mannWhitney } from './statistics.ts';
import type { VariantSummary } from './variant-summary.ts';

/** A difference is called real when a two-sided rank test gives p below this. */
export const SIGNIFICANCE = 0.05;

export interface VariantComparison {
  variant: string;
  /** This variant's median longest transaction divided by the baseline's. */
  longestTransactionRatio: number;
  longestUserWaitRatio: number;
  /** Mann–Whitney on the trials' longest transactions against the baseline's; null for the baseline. */
  longestTransactionTest: { p: number; minimumP: number; beyondNoise: boolean } | null;
}

export interface Comparison {
  /** The first variant of the scenario: every other one is compared with it. */
  baseline: string;
  variants: VariantComparison[];
  /** One sentence a reader can quote, which claims no difference the trials do not support. */
  headline: string;
}

type Named = { name: string; summary: VariantSummary };

export function compareVariants(summaries: Named[]): Comparison {
  const [baseline] = summaries;
  if (!baseline) return { baseline: '', variants: [], headline: 'nothing was measured' };
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
    };
  });
  return { baseline: baseline.name, variants, headline: headline(summaries) };
}

/**
 * "stop-start: longest transaction 4.06 s, 12 failed; preboot: 0.15 s, 0 failed — preboot 27× shorter
 * than stop-start", followed by what the trials say of that difference.
 */
function headline(summaries: Named[]): string {
  const measured = summaries.filter((s) => s.summary.trials > 0);
  if (measured.length === 0) return 'no trial was measured to its end';
  const parts = measured.map(({ name, summary }, i) => {
    const longest = formatMs(summary.metrics.longestTransactionMs.median);
    const failed = summary.metrics.errors.median;
    return `${name}: ${i === 0 ? 'longest transaction ' : ''}${longest}, ${failed} failed`;
  });
  const sentence = parts.join('; ');
  if (measured.length < 2) return sentence;
  const longest = (s: Named) => s.summary.metrics.longestTransactionMs.median;
  const worst = measured.reduce((a, b) => (longest(b) > longest(a) ? b : a));
  const best = measured.reduce((a, b) => (longest(b) < longest(a) ? b : a));
  if (worst === best || longest(best) <= 0) return sentence;
  const factor = longest(worst) / longest(best);
  const shown = factor >= 10 ? Math.round(factor).toString() : factor.toFixed(1);
  return `${sentence} — ${best.name} ${shown}× shorter than ${worst.name}${noiseNote(best, worst)}`;
}

function noiseNote(best: Named, worst: Named): string {
  const a = best.summary.metrics.longestTransactionMs.values;
  const b = worst.summary.metrics.longestTransactionMs.values;
  const test = mannWhitney(a, b);
  if (!test) return '';
  const trials =
    a.length === b.length
      ? `${a.length} trial${a.length === 1 ? '' : 's'} each`
      : `${a.length} and ${b.length} trials`;
  if (test.p < SIGNIFICANCE)
    return ` (beyond the noise: rank test p = ${test.p.toPrecision(2)}, ${trials})`;
  if (test.minimumP >= SIGNIFICANCE) {
    return ` (${trials}: too few to tell a difference from noise; 4 trials each can)`;
  }
  return ` (within the noise: rank test p = ${test.p.toPrecision(2)}, ${trials})`;
}
