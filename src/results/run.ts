import type { LogLine } from './log-line.ts';
import type { Recording } from './recording.ts';

export interface VariantResults {
  name: string;
  description?: string;
  strategy?: string;
  command?: string;
  trials: TrialResult[];
  /** Output of the variant's beforeVariant / afterVariant hooks; times from the run's start. */
  hookLog: LogLine[];
}

/** A scenario as results.json keeps it, every field as it ran: reports read its name and description. */
export interface SavedScenario {
  name: string;
  description?: string | undefined;
  [field: string]: unknown;
}

/**
 * Everything a run measured, before analysis. Once measured it is never changed: a run found
 * interrupted or failed while its reports are written is a new object (run/run-scenario.ts).
 */
export interface RunResults {
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt?: string;
  machine: { hostname: string; platform: string; cpus: number; node: string };
  scenarioFile: string;
  /** `--set` and shorthands the scenario ran with, as typed. */
  overrides?: string[];
  /** Read back from a saved run, only its name and description are checked. */
  scenario: SavedScenario;
  /** True when Ctrl-C (or SIGTERM) cut the run short: what was measured so far is kept. */
  interrupted: boolean;
  /** Why the run could not go on (e.g. the target never came up). */
  failure?: string;
  variants: VariantResults[];
  /** A shard's run, or shards merged by `bench merge`. */
  shard?: ShardInfo;
  /** The load it was measured under; absent from a results.json written before it was kept. */
  load?: LoadUnder;
}

/** The load a run was measured under, as every report states it. */
export type LoadUnder = (
  | { model: 'closed'; users: number }
  | { model: 'open'; ratePerSecond: number }
) & {
  /** Generator threads (`load.workers`). */
  workers: number;
  /** False: a new connection for every request. */
  keepAlive: boolean;
  /** The probe's requests per second on new connections beside the load; 0 when none was sent. */
  probePerSecond?: number;
  /** How many endpoints the requests went to; 1 for a single request. */
  endpoints: number;
};

/** A run read back from results.json: what it measured, and the gates it was judged by then. */
export interface SavedRun {
  results: RunResults;
  gates: GateResult[];
  /** Where it stood among its past runs, when it ran with `--history`. */
  history?: HistoryPlace;
}

export type TrialStatus = 'completed' | 'failed' | 'interrupted';

/** One deploy of one variant, measured. */
export interface TrialResult {
  trial: number;
  status: TrialStatus;
  /** Why the deploy failed, when it did. */
  failure?: string;
  startedAt: string;
  recording: Recording;
  deployLog: LogLine[];
  /** How busy deploy-bench itself was while measuring: a saturated generator under-measures. */
  generator?: GeneratorLoad;
  /** `bench watch`: what its unrecorded load saw before the recording began. */
  baseline?: WatchBaseline;
}

/**
 * A watch's baseline: the unrecorded load that sets the slow threshold. A deploy that began during it
 * shows here (failures, a second release), and in the recording only from the requests still in
 * flight at its end (`carried`).
 */
export interface WatchBaseline {
  ms: number;
  requests: number;
  failures: number;
  /** The releases that answered it, in order of first answer. */
  releases: string[];
  /** Of its successful requests; null when none succeeded. */
  p99Ms: number | null;
  slowThresholdMs: number;
  /** The longest request that ended in it; absent from results saved before it was kept. */
  slowestMs?: number;
  /**
   * Its requests still in flight when the recording took over, and how long the oldest had waited
   * then: recorded when they ended, from their start before t0 (a stall that began before).
   */
  carried?: { count: number; oldestMs: number };
}

export interface GeneratorLoad {
  /** CPU time of this process over wall time, in % of one core. */
  cpuPercent: number;
  /** Share of the time the event loop was busy (1 = it never waited for I/O). */
  eventLoopUtilization: number;
}

/** Above this event-loop utilisation the generator's own delays show in the figures. */
export const SATURATED_ELU = 0.9;

/** Which shards a results.json holds: one for a shard's own run, several after `bench merge`. */
export interface ShardInfo {
  count: number;
  startAt: string;
  shards: {
    index: number;
    deploys: boolean;
    /**
     * This machine's clock minus the target's, estimated from the target's Date header: the error
     * in the shards' alignment. null when the target sent no usable Date.
     */
    clockOffsetMs: number | null;
  }[];
}

/** What a gate's figure counts in. */
export type Unit = 'ms' | 'percent' | 'count';
export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** One gate for one variant, evaluated: what CI shows as a test case, and results.json keeps. */
export interface GateResult {
  /** The gate for this variant, e.g. `preboot.longest < 2s` (a `*` gate yields one per variant). */
  expression: string;
  source: string;
  variant: string;
  /** False when the run did not complete (a deploy failed, an interruption): never a pass then. */
  evaluated: boolean;
  passed: boolean;
  /** NaN when nothing was measured to compare. */
  actual: number;
  threshold: number;
  unit: Unit;
  comparator: Comparator;
  /** How the actual value was taken from the trials, e.g. "worst of 3 trials". */
  basis: string;
  /** Why the gate could not be evaluated, when it could not. */
  problem?: string;
  /**
   * A budget from past runs (`p95(history) + 1s`): how many there were, how many it needs to
   * judge, and the statistic of their values (before the factor and the allowance).
   */
  budget?: { runs: number; needed: number; statistic: number };
}

/**
 * Where a run stands among the past runs of its scenario in a `--history` folder (docs/history.md):
 * what every report shows of it, and results.json keeps so that `bench report` shows it again.
 */
export interface HistoryPlace {
  /** The folder, as it was given. */
  folder: string;
  /** Past runs of this scenario measured under this run's conditions; this run not counted. */
  runs: number;
  /** Past runs of this scenario under other conditions (load, trials): not counted. */
  otherConditions?: number;
  /** Records refused (corrupt, hostile, not ours): the file and why. */
  refused: { file: string; reason: string }[];
  figures: HistoryFigure[];
}

/** One figure of one variant over the past runs, and this run's. */
export interface HistoryFigure {
  variant: string;
  /** As a gate names it after the variant: `user-wait`, `during.p99`. */
  figure: string;
  unit: Unit;
  /** Worse when lower (a gate with `>` or `>=`, e.g. on availability); else worse when higher. */
  lowerIsWorse?: boolean;
  /** Past runs that failed a gate on it: not counted in `past` nor in its budget. */
  failedNotCounted?: number;
  /** Each counted past run's value (its trials taken as the gate takes them), oldest first. */
  past: { startedAt: string; value: number; commit?: string }[];
  /** This run's value, taken the same way; NaN when it has none. */
  value: number;
  /** The budget a history gate set on this figure in this run, when one did. */
  budget?: number;
}
