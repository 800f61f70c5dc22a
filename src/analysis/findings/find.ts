import type { Recording } from '../../results/recording.ts';
import type { TrialStatus } from '../../results/run.ts';
import { brokeAfterSwitch } from './broke-after-switch.ts';
import type { Finding, FindingId } from './finding.ts';
import { inFlightCut } from './in-flight-cut.ts';
import { keptAliveCut } from './kept-alive-cut.ts';
import { mixedReleases } from './mixed-releases.ts';
import { notReadyWhenRouted } from './not-ready-when-routed.ts';
import { nothingUp } from './nothing-up.ts';
import { proxyWithoutUpstream } from './proxy-without-upstream.ts';
import { routedToStopped } from './routed-to-stopped.ts';
import { trialEvidence } from './trial-evidence.ts';

/**
 * Every finding of one trial, faults first, each in the order of the moment it is about. A pure
 * function of the recording: a saved run gives the same findings as the live one, and a merged
 * recording (threads, shards) the same as one made in one piece.
 */
export function findingsOf(recording: Recording): Finding[] {
  const evidence = trialEvidence(recording);
  const outage = nothingUp(evidence);
  const found = [
    outage,
    routedToStopped(evidence),
    keptAliveCut(evidence),
    inFlightCut(evidence),
    notReadyWhenRouted(evidence, outage),
    proxyWithoutUpstream(evidence),
    ...brokeAfterSwitch(evidence),
    mixedReleases(evidence),
  ];
  return found
    .filter((finding): finding is Finding => finding !== undefined)
    .sort((a, b) => (a.kind === b.kind ? a.fromMs - b.fromMs : a.kind === 'fault' ? -1 : 1));
}

/** Fault findings only: what a gate on `findings` counts. */
export function faults(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.kind === 'fault');
}

/** One finding across a variant's trials: how many had it, worded as the first of them did. */
export interface VariantFinding {
  id: FindingId;
  kind: Finding['kind'];
  title: string;
  /** Trials (measured to their end) in which it was found. */
  trials: number;
}

/** Each finding of a variant once, in the order first found, with the number of trials it was in. */
export function variantFindings(
  trials: readonly { result: { status: TrialStatus }; findings: readonly Finding[] }[],
): VariantFinding[] {
  const byId = new Map<FindingId, VariantFinding>();
  for (const trial of trials) {
    if (trial.result.status === 'interrupted') continue;
    for (const { id, kind, title } of trial.findings) {
      const seen = byId.get(id);
      if (seen) seen.trials++;
      else byId.set(id, { id, kind, title, trials: 1 });
    }
  }
  return [...byId.values()].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'fault' ? -1 : 1));
}
