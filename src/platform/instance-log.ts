import type { InstanceDrain, InstanceLifecycle } from '../results/recording.ts';

/** A stopped process stays in the live view this long. */
const STOPPED_SHOWN_MS = 5000;

/** The moments of a process's life that the lanes show. */
export type LifeMoment = 'started' | 'up' | 'routed' | 'unrouted' | 'stopping' | 'stopped';

export type InstanceState = 'booting' | 'up' | 'stopping' | 'stopped';

/** The moment at which a process entered each state. */
const ENTERED_BY: Record<InstanceState, LifeMoment> = {
  booting: 'started',
  up: 'up',
  stopping: 'stopping',
  stopped: 'stopped',
};

interface Entry {
  id: string;
  release: string;
  /** On the process's monotonic clock (`process.hrtime.bigint()`), which the trial's clock reads too. */
  moments: Partial<Record<LifeMoment, bigint>>;
  exit?: string;
  drain?: InstanceDrain;
}

/** An instance as a live view shows it now. */
export interface LiveInstance {
  id: string;
  state: InstanceState;
  /** Milliseconds since it entered that state. */
  forMs: number;
  routed: boolean;
}

/**
 * The embedded platform's processes, each with the moments of its life, stamped as they happen. The
 * platform starts before the trial's clock does: the moments are kept on the monotonic clock and
 * put on the trial's timeline at the end (negative for the release that was running before t0).
 */
export class InstanceLog {
  private readonly entries = new Map<string, Entry>();

  note(id: string, release: string, moment: LifeMoment, exit?: string): void {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { id, release, moments: {} };
      this.entries.set(id, entry);
    }
    entry.moments[moment] ??= process.hrtime.bigint();
    if (exit !== undefined) entry.exit = exit;
  }

  /** What became of the requests a process was serving when it was taken out of rotation. */
  drained(id: string, drain: InstanceDrain): void {
    const entry = this.entries.get(id);
    if (entry) entry.drain = drain;
  }

  /** Every process so far, on the timeline of a clock started at `origin`. */
  snapshot(origin: bigint): InstanceLifecycle[] {
    const at = (stamp: bigint | undefined) =>
      stamp === undefined ? null : Number(stamp - origin) / 1e6;
    return [...this.entries.values()].map(({ id, release, moments, exit, drain }) => ({
      id,
      release,
      startedAt: at(moments.started),
      upAt: at(moments.up),
      routedAt: at(moments.routed),
      unroutedAt: at(moments.unrouted),
      stoppingAt: at(moments.stopping),
      stoppedAt: at(moments.stopped),
      exit: exit ?? null,
      ...(drain ? { drain } : {}),
    }));
  }

  /**
   * The processes for the live view, in order of their start: those running, and those stopped in
   * the last few seconds, so that the traffic they answered last is still accounted for.
   */
  live(): LiveInstance[] {
    const now = process.hrtime.bigint();
    const since = (stamp: bigint | undefined) =>
      stamp === undefined ? 0 : Number(now - stamp) / 1e6;
    return [...this.entries.values()]
      .filter((e) => e.moments.stopped === undefined || since(e.moments.stopped) < STOPPED_SHOWN_MS)
      .map(({ id, moments }) => {
        const state: InstanceState = moments.stopped
          ? 'stopped'
          : moments.stopping
            ? 'stopping'
            : moments.up
              ? 'up'
              : 'booting';
        const entered = moments[ENTERED_BY[state]];
        return {
          id,
          state,
          forMs: since(entered),
          routed: moments.routed !== undefined && moments.unrouted === undefined,
        };
      });
  }
}
