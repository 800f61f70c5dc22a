import type { LogLine } from '../deploy/bounded-log.ts';
import type { GateResult } from '../gates/evaluate.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ShardInfo } from '../shard/plan.ts';
import type { TrialResult } from '../trial/run-trial.ts';

export interface VariantRun {
  name: string;
  description?: string;
  strategy?: string;
  command?: string;
  trials: TrialResult[];
  /** Output of the variant's beforeVariant / afterVariant hooks; times from the run's start. */
  hookLog: LogLine[];
}

/** Everything a run measured, before analysis: what the exporters render. */
export interface RunReport {
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt?: string;
  machine: { hostname: string; platform: string; cpus: number; node: string };
  scenarioFile: string;
  scenario: Scenario;
  /** True when Ctrl-C (or SIGTERM) cut the run short: what was measured so far is kept. */
  interrupted: boolean;
  /** Why the run could not go on (e.g. the target never came up). */
  failure?: string;
  variants: VariantRun[];
  /** A shard's run, or shards merged by `bench merge`. */
  shard?: ShardInfo;
  /** The gates of the scenario and the command line, evaluated once every trial had run. */
  gates: GateResult[];
}
