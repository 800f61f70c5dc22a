import type { Recording } from '../../results/recording.ts';
import { formatMs } from '../../text/format.ts';

/** What every finding's rule reads of a trial, and how it words a moment of it. */
export interface TrialEvidence {
  recording: Recording;
  /** When the deploy was triggered, on the trial's clock (its start without a trigger). */
  trigger: number;
  /** The slow threshold: a stretch shorter than it is not one users would notice. */
  thresholdMs: number;
  /** "4.21 s after the trigger" (t in ms since t0). */
  at(t: number): string;
  /** "between 15 ms and 4.21 s after the trigger". */
  between(fromMs: number, toMs: number): string;
}

/** Moments worded from the deploy's trigger, as every report shows them (from t0 without one). */
export function trialEvidence(recording: Recording): TrialEvidence {
  const trigger = recording.timeline.find((e) => e.phase === 'triggered')?.t;
  const origin = trigger ?? 0;
  const reference = trigger === undefined ? 'the start' : 'the trigger';
  const offset = (t: number) => formatMs(Math.abs(t - origin));
  const side = (t: number) => (t < origin ? 'before' : 'after');
  return {
    recording,
    trigger: origin,
    thresholdMs: recording.disruption.thresholdMs,
    at: (t) => `${offset(t)} ${side(t)} ${reference}`,
    between: (fromMs, toMs) =>
      side(fromMs) === side(toMs)
        ? `between ${offset(fromMs)} and ${offset(toMs)} ${side(toMs)} ${reference}`
        : `between ${offset(fromMs)} before and ${offset(toMs)} after ${reference}`,
  };
}
