import { formatMs } from '../scenario/duration.ts';
import type { VariantSummary } from './variant-summary.ts';

export interface VariantComparison {
  variant: string;
  /** This variant's median longest transaction divided by the baseline's. */
  longestTransactionRatio: number;
  longestUserWaitRatio: number;
}

export interface Comparison {
  /** The first variant of the scenario: every other one is compared with it. */
  baseline: string;
  variants: VariantComparison[];
  /** One sentence a reader can quote. */
  headline: string;
}

export function compareVariants(
  summaries: { name: string; summary: VariantSummary }[],
): Comparison {
  const [baseline] = summaries;
  if (!baseline) return { baseline: '', variants: [], headline: 'nothing was measured' };
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  const variants = summaries.map(({ name, summary }) => ({
    variant: name,
    longestTransactionRatio: ratio(
      summary.metrics.longestTransactionMs.median,
      baseline.summary.metrics.longestTransactionMs.median,
    ),
    longestUserWaitRatio: ratio(
      summary.metrics.longestUserWaitMs.median,
      baseline.summary.metrics.longestUserWaitMs.median,
    ),
  }));
  return { baseline: baseline.name, variants, headline: headline(summaries) };
}

/** "stop-start: longest transaction 4.06 s, 12 failed; preboot: 0.15 s, 0 failed — 27× shorter" */
function headline(summaries: { name: string; summary: VariantSummary }[]): string {
  const measured = summaries.filter((s) => s.summary.trials > 0);
  if (measured.length === 0) return 'no trial was measured to its end';
  const parts = measured.map(({ name, summary }, i) => {
    const longest = formatMs(summary.metrics.longestTransactionMs.median);
    const failed = summary.metrics.errors.median;
    return `${name}: ${i === 0 ? 'longest transaction ' : ''}${longest}, ${failed} failed`;
  });
  const sentence = parts.join('; ');
  if (measured.length < 2) return sentence;
  const longest = (s: (typeof measured)[number]) => s.summary.metrics.longestTransactionMs.median;
  const worst = measured.reduce((a, b) => (longest(b) > longest(a) ? b : a));
  const best = measured.reduce((a, b) => (longest(b) < longest(a) ? b : a));
  if (worst === best || longest(best) <= 0) return sentence;
  const factor = longest(worst) / longest(best);
  const shown = factor >= 10 ? Math.round(factor).toString() : factor.toFixed(1);
  return `${sentence} — ${best.name} ${shown}× shorter than ${worst.name}`;
}
