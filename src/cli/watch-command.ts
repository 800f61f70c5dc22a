import { parse } from 'yaml';
import { readBounded } from '../files/read-bounded.ts';
import { MAX_SCENARIO_BYTES } from '../scenario/load.ts';
import { DURATION_HINT, parseDuration } from '../text/duration.ts';
import { loadWatchScenario, type WatchSettings } from '../watch/watch-scenario.ts';
import { defineCommandLine } from './command-line.ts';
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

export interface WatchArgs extends WatchSettings {
  out?: string;
  /** Stop by itself after this long (as typed); otherwise at Ctrl-C or SIGTERM. */
  duration?: string;
  formats: ReturnType<typeof exportFormats>;
  gates: string[];
  force: boolean;
  quiet: boolean;
  /** `--serve [HOST:]PORT`, and `--serve-after`: the live page, /metrics and /gate. */
  serve?: ServeOptions;
  /** `--history DIR` and `--history-min-runs`. */
  history?: HistoryOptions;
}

/**
 * `bench watch URL`: load on a target that somebody else deploys, until Ctrl-C, SIGTERM or
 * `--duration`; the deploy's window is found from the traffic, and the reports are a run's.
 */
export async function watchCommand(args: WatchArgs, io: CliIo): Promise<number> {
  if (args.scenario) {
    // What a watch cannot take from the file is said as such, before the file is checked whole.
    const shape = await scenarioShape(args.scenario);
    if (shape.embedded)
      throw new UsageError(
        `--scenario ${args.scenario}: its target is the embedded platform, which only bench run deploys; a watch loads a URL that somebody else deploys (target.url)`,
      );
    if (args.expectStatus && shape.endpoints)
      throw new UsageError(
        `--expect-status: ${args.scenario} has load.endpoints; give each its expect.status there`,
      );
  }
  const loaded = await loadWatchScenario(args, io.env);
  // How long it ran is part of what was asked for, as `--trials` is for a run.
  if (args.duration !== undefined)
    loaded.overrides = [...(loaded.overrides ?? []), `--duration ${args.duration}`];
  const gates = args.gates.map((source) => parseCommandLineGate(source, loaded));
  return runAndReport(
    {
      loaded,
      gates,
      outDir: args.out ?? (await freeDefaultOutDir(loaded.scenario.name)),
      formats: args.formats,
      force: args.force,
      quiet: args.quiet,
      watch:
        args.duration !== undefined ? { durationMs: parseDuration(args.duration) as number } : {},
      ...(args.serve ? { serve: args.serve } : {}),
      ...(args.history ? { history: args.history } : {}),
    },
    io,
  );
}

/** A scenario file's target and requests as written; its problems are the loader's to tell. */
async function scenarioShape(file: string): Promise<{ embedded: boolean; endpoints: boolean }> {
  try {
    // Unreadable or too large, it is the loader's to refuse.
    const document = parse((await readBounded(file, MAX_SCENARIO_BYTES)).toString('utf8'));
    return {
      embedded: document?.target?.platform !== undefined,
      endpoints: document?.load?.endpoints !== undefined,
    };
  } catch {
    return { embedded: false, endpoints: false };
  }
}

/** Flags that take a duration: checked before anything is loaded. */
const DURATIONS = ['duration', 'baseline', 'interval', 'slow-threshold'] as const;

/** `bench watch [URL] [options]` */
export const watchCommandLine = defineCommandLine(
  (command) =>
    command
      .positional('url', {
        type: 'string',
        describe: 'the target, e.g. https://staging.example.com/health (or --scenario)',
      })
      .option('users', {
        alias: 'c',
        type: 'number',
        requiresArg: true,
        describe: 'closed-model users, as siege -c (default 1)',
      })
      .option('rate', {
        type: 'string',
        requiresArg: true,
        describe: 'an open-model arrival rate instead, e.g. 50/s',
      })
      .option('duration', {
        type: 'string',
        requiresArg: true,
        describe: 'stop after this long, e.g. 2m (default: at Ctrl-C or SIGTERM)',
      })
      .option('release-header', {
        type: 'string',
        requiresArg: true,
        describe: 'response header naming the release (default x-release)',
      })
      .option('instance-header', {
        type: 'string',
        requiresArg: true,
        describe: 'response header naming the instance that answered: a lane each',
      })
      .option('expect-status', {
        type: 'string',
        requiresArg: true,
        describe: 'statuses a response must have, e.g. 2xx or 200,304 (others fail as "check")',
      })
      .option('baseline', {
        type: 'string',
        requiresArg: true,
        describe: 'unrecorded load first, setting the slow threshold (default 3s)',
      })
      .option('slow-threshold', {
        type: 'string',
        requiresArg: true,
        describe: 'a request slower than this is a disruption (default: 5 × the baseline p99)',
      })
      .option('interval', {
        type: 'string',
        requiresArg: true,
        describe: "width of the charts' intervals and of the phases' edges (default 1s)",
      })
      .option('scenario', {
        type: 'string',
        requiresArg: true,
        describe: 'take the target and the load from this scenario file (its variants are not run)',
      })
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe:
          "folder for the reports (default reports/<date>-watch-<host>/, or the scenario's name)",
      })
      .option('export', EXPORT_OPTION)
      .option('gate', {
        type: 'string',
        requiresArg: true,
        // One value each time it is given: a list option would take the scenario file too.
        array: true,
        nargs: 1,
        describe: "pass/fail threshold, repeatable, e.g. --gate 'watched.longest < 2s'",
      })
      .option('force', FORCE_OPTION)
      .option('quiet', QUIET_OPTION)
      .option('serve', SERVE_OPTION)
      .option('serve-after', SERVE_AFTER_OPTION)
      .option('history', HISTORY_OPTION)
      .option('history-min-runs', HISTORY_MIN_RUNS_OPTION)
      .check((args) => {
        if (args.url === undefined && args.scenario === undefined)
          return 'watch: expected a URL, e.g. bench watch http://127.0.0.1:3000/, or --scenario FILE';
        const usersOrRate = usersOrRateProblem(args);
        if (usersOrRate) return usersOrRate;
        for (const flag of DURATIONS) {
          const value = args[flag];
          if (value !== undefined && parseDuration(value) === undefined)
            return `--${flag} ${value}: expected ${DURATION_HINT}`;
        }
        if (args.duration !== undefined && parseDuration(args.duration) === 0)
          return `--duration ${args.duration}: expected a duration above 0`;
        return historyProblem(args) ?? serveProblem(args) ?? checkExportOption(args);
      })
      .example('$0 watch https://staging.example.com/ -c 4', 'then deploy; Ctrl-C when it is done')
      .example(
        "$0 watch http://127.0.0.1:3000/ --duration 2m --gate 'watched.longest < 1s'",
        'in CI, while another step deploys',
      ),
  (args, io) =>
    watchCommand(
      {
        ...(args.url !== undefined ? { url: args.url } : {}),
        ...(args.scenario !== undefined ? { scenario: args.scenario } : {}),
        ...(args.users !== undefined ? { users: args.users } : {}),
        ...(args.rate !== undefined ? { rate: args.rate } : {}),
        ...(args.releaseHeader !== undefined ? { releaseHeader: args.releaseHeader } : {}),
        ...(args.instanceHeader !== undefined ? { instanceHeader: args.instanceHeader } : {}),
        ...(args.expectStatus !== undefined ? { expectStatus: args.expectStatus } : {}),
        ...(args.baseline !== undefined ? { baseline: args.baseline } : {}),
        ...(args.interval !== undefined ? { interval: args.interval } : {}),
        ...(args.slowThreshold !== undefined ? { slowThreshold: args.slowThreshold } : {}),
        ...(args.duration !== undefined ? { duration: args.duration } : {}),
        ...(args.out !== undefined ? { out: args.out } : {}),
        formats: exportFormats(args.export),
        gates: (args.gate ?? []).map(String),
        force: args.force,
        quiet: args.quiet,
        ...serveOptions(args),
        ...historyOptions(args),
      },
      io,
    ),
);
