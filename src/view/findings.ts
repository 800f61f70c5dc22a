import type { AnalysedRun } from '../analysis/analyse.ts';
import type { Finding } from '../analysis/findings/finding.ts';

/** One finding of a variant as every report shows it: worded by the first trial that had it. */
export interface FindingView
  extends Pick<Finding, 'id' | 'kind' | 'title' | 'seen' | 'cause' | 'change' | 'docs'> {
  /** "1 of 1 trial", "2 of 3 trials". */
  trials: string;
}

export interface VariantFindingsView {
  variant: string;
  findings: FindingView[];
}

/** What a variant with no finding shows, in one line. */
export const NOTHING_FOUND = 'nothing found: none of the causes in docs/diagnosis.md showed';

/** Each measured variant's findings, faults first. */
export function findingsView(run: AnalysedRun): VariantFindingsView[] {
  return run.variants
    .filter((variant) => variant.totals.overall.requests > 0)
    .map((variant) => {
      const counted = variant.summary.trials;
      return {
        variant: variant.name,
        findings: variant.findings.map((found) => {
          // Worded as the variant's count is made: from trials measured to their end.
          const first = variant.trials
            .filter((trial) => trial.result.status !== 'interrupted')
            .flatMap((trial) => trial.findings)
            .find((finding) => finding.id === found.id) as Finding;
          return {
            id: found.id,
            kind: found.kind,
            title: found.title,
            seen: first.seen,
            cause: first.cause,
            change: first.change,
            docs: first.docs,
            trials: `${found.trials} of ${counted} trial${counted === 1 ? '' : 's'}`,
          };
        }),
      };
    });
}
