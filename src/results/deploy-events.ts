/** Phases a deploy goes through, as drawn on the timeline. */
export const DEPLOY_PHASES = [
  'triggered',
  'booting',
  'up',
  'released',
  'switched',
  'stopping',
  'stopped',
  'completed',
  'failed',
] as const;
export type DeployPhase = (typeof DEPLOY_PHASES)[number];

/** One moment of a deploy, in milliseconds since the trial's t0. */
export interface DeployEvent {
  t: number;
  phase: DeployPhase;
  detail?: string;
  /**
   * The instance it is about, named as the traffic names it (instance header, else release): a
   * command driver's marker whose pattern's group `instance` caught it ("^stopping (?P<instance>\S+)").
   */
  instance?: string;
}

/** Reports a phase now; the receiver stamps it on the trial's clock. */
export type EmitPhase = (phase: DeployPhase, detail?: string, instance?: string) => void;

/** The deploy's last event: it completed or it failed. */
export function isDeployEnd(event: Pick<DeployEvent, 'phase'>): boolean {
  return event.phase === 'completed' || event.phase === 'failed';
}

/** From the deploy's trigger to its end (completed or failed); NaN when either is missing. */
export function deployDurationMs(timeline: readonly DeployEvent[]): number {
  const triggered = timeline.find((e) => e.phase === 'triggered')?.t;
  const ended = timeline.find(isDeployEnd)?.t;
  return triggered !== undefined && ended !== undefined ? ended - triggered : Number.NaN;
}

/**
 * The word that starts the detail of a window's events when `bench watch` found it from the traffic
 * rather than running the deploy itself: reports label such a window "detected".
 */
export const DETECTED = 'detected';

/** A deploy whose window was found from the traffic (`bench watch`), not run by the tool. */
export function isDetected(timeline: readonly DeployEvent[]): boolean {
  return timeline.some((e) => e.phase === 'triggered' && e.detail?.startsWith(DETECTED));
}
