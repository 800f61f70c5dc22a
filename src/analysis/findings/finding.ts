/** The findings deploy-bench knows, each defined in docs/diagnosis.md under its id. */
export const FINDING_IDS = [
  'nothing-up',
  'routed-to-stopped',
  'kept-alive-cut',
  'in-flight-cut',
  'not-ready-when-routed',
  'proxy-without-upstream',
  'broke-after-switch',
  'mixed-releases',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

/**
 * Why users were hurt, as far as the recording shows it, and what to change: one rule's reading of
 * one trial. Phrased as likelihood: the recording shows what users saw, not the target's insides.
 */
export interface Finding {
  id: FindingId;
  /** `fault`: users were hurt by it; `info`: worth knowing (it matters for compatibility), not a fault. */
  kind: 'fault' | 'info';
  /** One line, with its main figure: "nothing was up for 4.19 s". */
  title: string;
  /** What was seen: figures, times after the trigger, instances, endpoints, the first example. */
  seen: string;
  /** The likely cause. */
  cause: string;
  /** What to change. */
  change: string;
  /** Where docs/diagnosis.md explains it. */
  docs: string;
  /** The stretch of the trial it is about, in ms since t0. */
  fromMs: number;
  toMs: number;
  /** The figures behind `seen`, for scripts (docs/diagnosis.md lists each finding's). */
  evidence: Record<string, string | number | null>;
}

export function docsOf(id: FindingId): string {
  return `docs/diagnosis.md#${id}`;
}
