import type { ExportName } from '../export/registry.ts';
import { type LoadedScenario, loadScenarioFile } from '../scenario/load.ts';
import {
  OverrideSyntaxError,
  parseOverride,
  type ScenarioOverride,
  shorthandOverrides,
} from '../scenario/overrides.ts';
import { estimateClockOffset } from '../shard/clock-offset.ts';
import { parseShard, type ShardPlan } from '../shard/plan.ts';
import { defineCommandLine, SCENARIO_FILE } from './command-line.ts';
import { checkExportOption, EXPORT_OPTION, exportFormats } from './export-option.ts';
import type { CliIo } from './io.ts';
import {
  FORCE_OPTION,
  freeDefaultOutDir,
  HISTORY_MIN_RUNS_OPTION,
  HISTORY_OPTION,
  type HistoryOptions,
  historyOptions,
  historyProblem,
  parseCommandLineGate,
  QUIET_OPTION,
  runAndReport,
  SERVE_AFTER_OPTION,
  SERVE_OPTION,
  type ServeOptions,
  serveOptions,
  serveProblem,
  usersOrRateProblem,
} from './run-and-report.ts';
import { UsageError } from './usage-error.ts';

export interface RunArgs {
  file: string;
  out?: string;
  trials?: number;
  formats: ExportName[];
  /** `--gate` expressions, added to the scenario's. */
  gates: string[];
  /** Write into an --out folder that already holds files. */
  force: boolean;
  /** No progress and no phase lines: only the summary and problems. */
  quiet: boolean;
  /** Only this variant. */
  variant?: string;
  /** `--set path=value` and the shorthands, applied to the file before it is validated. */
  overrides: ScenarioOverride[];
  /** `--shard i/N` with `--start-at` and `--follow` (docs/scale.md). */
  shard?: { index: number; count: number; startAt?: string; follow: boolean };
  /** `--serve [HOST:]PORT`, and `--serve-after`: the live page, /metrics and /gate. */
  serve?: ServeOptions;
  /** `--history DIR` and `--history-min-runs`. */
  history?: HistoryOptions;
}

/** `bench run FILE`: measures every variant, prints the summary, and returns the exit code. */
export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  const loaded = selectVariant(
    await loadScenarioFile(args.file, io.env, args.overrides),
    args.variant,
  );
  if (args.trials !== undefined)
    loaded.overrides = [...(loaded.overrides ?? []), `--trials ${args.trials}`];
  const shard = args.shard ? await planShard(loaded, args.shard, args.trials) : undefined;
  // Every gate is read before any load is sent: a typo must not cost a run.
  const gates = [
    ...loaded.gates,
    ...args.gates.map((source) => parseCommandLineGate(source, loaded)),
  ];
  const outDir = args.out ?? (await freeDefaultOutDir(loaded.scenario.name));

  return runAndReport(
    {
      loaded,
      gates,
      outDir,
      formats: args.formats,
      force: args.force,
      quiet: args.quiet,
      ...(args.trials !== undefined ? { trials: args.trials } : {}),
      ...(shard ? { shard } : {}),
      ...(args.serve ? { serve: args.serve } : {}),
      ...(args.history ? { history: args.history } : {}),
    },
    io,
  );
}

function selectVariant(loaded: LoadedScenario, name: string | undefined): LoadedScenario {
  if (name === undefined) return loaded;
  const variant = loaded.scenario.variants.find((v) => v.name === name);
  if (!variant) {
    const names = loaded.scenario.variants.map((v) => v.name).join(', ');
    throw new UsageError(`--variant ${name}: ${loaded.file} has no such variant (it has ${names})`);
  }
  return { ...loaded, scenario: { ...loaded.scenario, variants: [variant] } };
}

/**
 * A shard runs one trial of one variant against an external target, so that every shard's schedule
 * is known in advance; shard 1 deploys unless `--follow`. The clock offset is estimated before the
 * start, from the target's Date header.
 */
async function planShard(
  loaded: LoadedScenario,
  shard: NonNullable<RunArgs['shard']>,
  trials: number | undefined,
): Promise<{ plan: ShardPlan; clockOffsetMs: number | undefined }> {
  const { scenario } = loaded;
  if (!('url' in scenario.target)) {
    throw new UsageError(
      '--shard: the scenario needs target.url — shards on several machines load one target, not an embedded platform each',
    );
  }
  if (scenario.variants.length !== 1) {
    throw new UsageError(
      `--shard: a shard runs one variant; choose one with --variant (${scenario.variants.map((v) => v.name).join(', ')})`,
    );
  }
  if ((trials ?? scenario.trials) !== 1) {
    throw new UsageError('--shard: a shard runs one trial; set trials: 1 or --trials 1');
  }
  let startAt = Date.now();
  if (shard.startAt !== undefined) {
    startAt = Date.parse(shard.startAt);
    if (Number.isNaN(startAt)) {
      throw new UsageError(
        `--start-at ${shard.startAt}: expected a time such as 2026-11-26T12:00:00Z`,
      );
    }
  }
  return {
    plan: {
      index: shard.index,
      count: shard.count,
      deploys: shard.index === 1 && !shard.follow,
      startAt,
    },
    clockOffsetMs: await estimateClockOffset(scenario.target.url),
  };
}

/** The shorthands first, then `--set` in order: a later change to a field wins. */
function commandLineOverrides(args: {
  set?: (string | number)[];
  users?: number;
  rate?: string;
  warmup?: string;
  cooldown?: string;
}): ScenarioOverride[] {
  try {
    return [
      ...shorthandOverrides(args),
      ...(args.set ?? []).map((text) => parseOverride(String(text))),
    ];
  } catch (error) {
    if (error instanceof OverrideSyntaxError) throw new UsageError(error.message);
    throw error;
  }
}

/** `bench run FILE [options]` */
export const runCommandLine = defineCommandLine(
  (command) =>
    command
      .positional('file', SCENARIO_FILE)
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe: 'folder for the reports (default reports/<date>-<name>/)',
      })
      .option('trials', {
        type: 'number',
        requiresArg: true,
        describe: 'trials per variant (overrides the scenario)',
      })
      .option('set', {
        type: 'string',
        requiresArg: true,
        // One value each time it is given: a list option would take the scenario file too.
        array: true,
        nargs: 1,
        describe: 'change a scenario field for this run, repeatable, e.g. --set load.users=8',
      })
      .option('users', {
        type: 'number',
        requiresArg: true,
        describe: 'closed-model users (shorthand for --set load.users=N)',
      })
      .option('rate', {
        type: 'string',
        requiresArg: true,
        describe: 'open-model arrival rate, e.g. 50/s (shorthand for --set load.rate=R)',
      })
      .option('warmup', {
        type: 'string',
        requiresArg: true,
        describe: 'load before the deploy, e.g. 5s (--set timeline.warmup=…)',
      })
      .option('cooldown', {
        type: 'string',
        requiresArg: true,
        describe: 'load after the deploy, e.g. 5s (--set timeline.cooldown=…)',
      })
      .option('export', EXPORT_OPTION)
      .option('force', FORCE_OPTION)
      .option('quiet', QUIET_OPTION)
      .option('serve', SERVE_OPTION)
      .option('serve-after', SERVE_AFTER_OPTION)
      .option('history', HISTORY_OPTION)
      .option('history-min-runs', HISTORY_MIN_RUNS_OPTION)
      .option('gate', {
        type: 'string',
        requiresArg: true,
        // One value each time it is given: a list option would take the scenario file too.
        array: true,
        nargs: 1,
        describe: "pass/fail threshold, repeatable, e.g. --gate 'preboot.longest < 2s'",
      })
      .option('variant', { type: 'string', requiresArg: true, describe: 'run only this variant' })
      .option('shard', {
        type: 'string',
        requiresArg: true,
        describe: 'run shard i of N: its share of the load, on the shared schedule (docs/scale.md)',
      })
      .option('start-at', {
        type: 'string',
        requiresArg: true,
        describe: 'with --shard: when every shard starts its load, e.g. 2026-11-26T12:00:00Z',
      })
      .option('follow', {
        type: 'boolean',
        default: false,
        describe: 'with --shard: this shard does not deploy (shard 1 does, unless it follows)',
      })
      .check((args) => {
        // The scenario's own bound for `trials`.
        if (
          args.trials !== undefined &&
          !(Number.isInteger(args.trials) && args.trials >= 1 && args.trials <= 1000)
        ) {
          return '--trials: expected a whole number from 1 to 1000';
        }
        const usersOrRate = usersOrRateProblem(args);
        if (usersOrRate) return usersOrRate;
        if (args.shard !== undefined && !parseShard(args.shard)) {
          return `--shard ${args.shard}: expected i/N with 1 <= i <= N, e.g. 2/4`;
        }
        if (args.shard === undefined && (args.startAt !== undefined || args.follow)) {
          return '--start-at and --follow go with --shard';
        }
        if (args.shard !== undefined && args.history !== undefined)
          return '--history: a shard measures part of the load; keep the history of whole runs';
        return historyProblem(args) ?? serveProblem(args) ?? checkExportOption(args);
      })
      .example(
        '$0 run scenarios/preboot.yaml',
        'stop-start against preboot on the embedded platform',
      )
      .example(
        '$0 run scenarios/preboot.yaml --out out --export html,md',
        'only the page and the summary',
      )
      .example(
        "$0 run scenarios/preboot.yaml --gate 'preboot.longest < 1s' --gate '*.errors == 0'",
        'exit 1 when a gate fails',
      ),
  (args, io) =>
    runCommand(
      {
        file: args.file,
        out: args.out,
        trials: args.trials,
        formats: exportFormats(args.export),
        gates: (args.gate ?? []).map(String),
        overrides: commandLineOverrides(args),
        force: args.force,
        quiet: args.quiet,
        ...(args.variant !== undefined ? { variant: args.variant } : {}),
        ...serveOptions(args),
        ...historyOptions(args),
        ...(args.shard !== undefined
          ? {
              shard: {
                ...(parseShard(args.shard) as { index: number; count: number }),
                ...(args.startAt !== undefined ? { startAt: args.startAt } : {}),
                follow: args.follow,
              },
            }
          : {}),
      },
      io,
    ),
);
