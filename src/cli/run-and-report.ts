import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysedRun, HistoryPlacer } from '../analysis/analyse.ts';
import { exitCodeOf, outcomeLine } from '../analysis/outcome.ts';
import { EXIT } from '../errors/tool-error.ts';
import { OutputFolder } from '../export/output-folder.ts';
import type { ExportName } from '../export/registry.ts';
import { runFolder } from '../export/run-folder.ts';
import { type Gate, GateSyntaxError, parseGate } from '../gates/parse.ts';
import { HistoryFolder, KEPT_RUNS, type Refusal, type StoredRecord } from '../history/folder.ts';
import { DEFAULT_MIN_RUNS, PastRuns } from '../history/past-runs.ts';
import {
  conditionsOf,
  type RunConditions,
  recordOf,
  sourceFromEnvironment,
} from '../history/record.ts';
import { buildTrend } from '../history/trend.ts';
import { renderTrendMarkdown } from '../history/trend-page.ts';
import { parseServeAddress, type ServeAddress } from '../live/address.ts';
import { LiveModel } from '../live/model.ts';
import type { LiveServer } from '../live/server.ts';
import { killAllGroups } from '../process/process-group.ts';
import type { MeasureOptions } from '../run/measure.ts';
import { observeAll, progressLines, type RunObserver, recordingLine } from '../run/observer.ts';
import { runLoadedScenario } from '../run/run-scenario.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { endpointNames } from '../scenario/schema.ts';
import { forTerminal } from '../text/escape.ts';
import { slugOf } from '../text/format.ts';
import { gateAnnotations } from './annotations.ts';
import type { CliIo } from './io.ts';
import { printSummary } from './print-summary.ts';
import { type Progress, progressMode, startProgress } from './progress.ts';
import { UsageError } from './usage-error.ts';

/** After a second Ctrl-C, how long the killed processes may take to be gone before bench quits. */
const GONE_WITHIN_MS = 2000;

export interface RunAndReportOptions extends Pick<MeasureOptions, 'trials' | 'shard'> {
  loaded: LoadedScenario;
  /** Every gate, read before any load is sent: a typo must not cost a run. */
  gates: Gate[];
  outDir: string;
  formats: readonly ExportName[];
  /** Write into an --out folder that already holds files. */
  force: boolean;
  /** No progress and no phase lines: only the summary and problems. */
  quiet: boolean;
  /** `bench watch`, for this long at most: the first Ctrl-C (or SIGTERM) ends it as time would. */
  watch?: { durationMs?: number };
  /** The live page, /metrics and /gate (docs/live.md). */
  serve?: ServeOptions;
  /** `--history DIR`: past runs to gate against and place the run among; the run added to them. */
  history?: HistoryOptions;
}

/** `--history DIR` and `--history-min-runs N` (docs/history.md). */
export interface HistoryOptions {
  dir: string;
  minRuns: number;
}

/** `--serve [HOST:]PORT`, and whether it stays up after the run (`--serve-after`) until Ctrl-C. */
export interface ServeOptions {
  address: ServeAddress;
  after: boolean;
}

/**
 * A loaded scenario measured with the live view, its reports written and its summary printed, as
 * `bench run` and `bench watch` do: returns the exit code. Ctrl-C, SIGTERM and SIGHUP stop the load
 * and keep what was measured; the next one quits at once.
 */
export async function runAndReport(options: RunAndReportOptions, io: CliIo): Promise<number> {
  // Problems and hints are written whatever the mode: --quiet drops progress, not warnings. While
  // the progress view draws, they go through it, which clears its frame first.
  let progress: Progress | undefined;
  const warn = (line: string) =>
    progress && !options.quiet ? progress.log(line) : io.stderr.write(`${forTerminal(line)}\n`);

  // Signals are handled from before the output folder is locked: its lock and probe are removed
  // on every way out.
  const controller = new AbortController();
  const endWatch = options.watch ? new AbortController() : undefined;
  const interrupt = (signal: NodeJS.Signals) => {
    // Through the progress view, which clears its frame first: no stale frame is left above it.
    if (endWatch && !endWatch.signal.aborted) {
      warn(`${signal}: the watch ends here, writing the reports (again to interrupt)`);
      endWatch.abort();
      return;
    }
    if (!controller.signal.aborted) {
      warn(
        `${signal}: stopping the load${endWatch ? '' : ' and the deploy'}, writing what was measured (again to quit at once)`,
      );
      controller.abort();
      return;
    }
    // Quitting at once: what the run started is killed, and gone by the time it has quit.
    killAllGroups(GONE_WITHIN_MS);
    io.exitNow(EXIT.interrupted);
  };
  // A closed terminal or SSH session (SIGHUP) is handled as Ctrl-C: the run stops and keeps its results.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) io.signals.on(signal, interrupt);
  let folder: OutputFolder | undefined;
  let server: LiveServer | undefined;
  const live = new LiveModel(
    options.loaded.scenario.name,
    options.gates,
    endpointNames(options.loaded.scenario),
    options.loaded.scenario.load.model,
  );
  try {
    if (options.serve) {
      // Listening before anything is written or sent: a port in use is exit 2, and costs no run.
      // Loaded only when asked for: prom-client and the page are not every run's start-up.
      const { LiveServer } = await import('../live/server.ts');
      server = await LiveServer.start(
        live,
        options.serve.address,
        () => (folder ? reportFile(folder) : undefined),
        warn,
      );
      io.stderr.write(`live: ${server.url} (the page; ${server.url}metrics, ${server.url}gate)\n`);
    }
    // The history is read before the output folder is taken: an unusable one is exit 2, no run lost.
    if (!options.history) refuseWithoutHistory(options.gates);
    const history = options.history ? await openHistory(options, warn) : undefined;
    folder = await OutputFolder.open(options.outDir, options.force ? 'replace' : 'refuse');
    if (controller.signal.aborted) return EXIT.interrupted;
    const view = startProgress(
      live,
      progressMode({ quiet: options.quiet, stream: io.stderr, env: io.env }),
      io.stderr,
      io.env,
    );
    progress = view;
    const run = await runLoadedScenario(options.loaded, {
      output: runFolder(folder, options.formats, warn, io.env),
      signal: controller.signal,
      trials: options.trials,
      observer: observeAll(live, progressLines(view.log), quietWatch(options, io), {
        // The status frame goes before the reports are written: nothing of it may be left after.
        writingReports() {
          view.stop();
          if (!options.quiet) io.stderr.write('writing the reports…\n');
        },
      }),
      ...(options.shard ? { shard: options.shard } : {}),
      ...(endWatch ? { watch: { ...options.watch, until: endWatch.signal } } : {}),
      gates: options.gates,
      ...(history ? { history: { past: history.past, place: history.place } } : {}),
      warn,
    });
    const report = reportFile(folder);
    if (history) await addToHistory(history, run, report, io, warn);
    live.runEnded({
      line: outcomeLine(run.outcome) ?? run.comparison.headline,
      gates: run.gates,
      ...(report ? { report } : {}),
    });
    server?.pushNow();
    io.stdout.write('\n');
    printSummary(run, reportLine(folder), io.stdout);
    for (const line of gateAnnotations(run.gates, io.env))
      io.stdout.write(`${forTerminal(line)}\n`);
    // A Ctrl-C after the reports were written still ends the command as interrupted.
    const exitCode = controller.signal.aborted ? EXIT.interrupted : exitCodeOf(run);
    if (server && options.serve?.after && !controller.signal.aborted) {
      for (const signal of signals) io.signals.off(signal, interrupt);
      io.stderr.write(`serving ${server.url} until Ctrl-C (the report: ${server.url}report)\n`);
      server.keepProcessUp();
      await untilSignal(io, signals);
    }
    return exitCode;
  } finally {
    progress?.stop();
    live.close();
    await server?.close();
    for (const signal of signals) io.signals.off(signal, interrupt);
    folder?.close();
  }
}

/** A history folder as a run uses it: read before, added to after. */
interface OpenHistory {
  folder: HistoryFolder;
  /** Its records of this scenario, as read before the run. */
  stored: StoredRecord[];
  refused: Refusal[];
  conditions: RunConditions;
  past: PastRuns;
  place: HistoryPlacer;
}

/** The history folder opened and this scenario's records read, each refused one said in a line. */
async function openHistory(
  options: RunAndReportOptions,
  warn: (line: string) => void,
): Promise<OpenHistory> {
  const { dir, minRuns } = options.history as HistoryOptions;
  const folder = await HistoryFolder.open(dir);
  const scenario = options.loaded.scenario.name;
  const { records, refused, unread } = await folder.read(scenario);
  for (const { file, reason } of refused)
    warn(`history: ${path.join(dir, file)} is not counted: ${reason}`);
  if (unread > 0) warn(`history: ${unread} older records of "${scenario}" were not read`);
  const conditions = conditionsOf(options.loaded.scenario, {
    ...(options.trials !== undefined ? { trials: options.trials } : {}),
    watch: options.watch !== undefined,
  });
  const past = new PastRuns(records, scenario, conditions, minRuns);
  const runs = `${past.records.length} past run${past.records.length === 1 ? '' : 's'}`;
  // Runs left out is a hint a quiet CI log needs too: it is why a budget never starts.
  if (past.otherConditions > 0)
    warn(
      `history: ${runs} of "${scenario}" in ${dir}; ${past.otherConditions} more under another load or number of trials are not counted`,
    );
  else if (!options.quiet) warn(`history: ${runs} of "${scenario}" in ${dir}`);
  return {
    folder,
    stored: records,
    refused,
    conditions,
    past,
    place: past.placer(options.gates, dir, refused),
  };
}

/** A run that completed, added to its history: a record not written is a warning, not a lost run. */
async function addToHistory(
  history: OpenHistory,
  run: AnalysedRun,
  report: string | undefined,
  io: CliIo,
  warn: (line: string) => void,
): Promise<void> {
  const { folder } = history;
  if (run.outcome.kind !== 'completed') {
    warn(`history: this run is not added to ${folder.dir}: it did not complete`);
    return;
  }
  const source = sourceFromEnvironment(io.env);
  const record = recordOf(run, {
    conditions: history.conditions,
    histograms: true,
    ...(source ? { source } : {}),
    ...(report ? { report: path.relative(folder.dir, report) } : {}),
  });
  let file: string;
  try {
    file = await folder.add(record);
    io.stderr.write(`history: this run added as ${forTerminal(path.join(folder.dir, file))}\n`);
  } catch (error) {
    warn(`history: this run could not be added to ${folder.dir}: ${(error as Error).message}`);
    return;
  }
  // On GitHub Actions the job's summary shows the trend, this run included, under summary.md.
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (!summary) return;
  try {
    const records = [...history.stored, { file, record }];
    const trend = buildTrend(folder.dir, records, history.refused, path.dirname(summary));
    const markdown = renderTrendMarkdown(trend, { only: run.results.scenario.name, links: 'web' });
    await appendFile(summary, `${markdown}\n`);
  } catch (error) {
    warn(`GITHUB_STEP_SUMMARY: cannot append the trend: ${(error as Error).message}`);
  }
}

/** A gate against past runs needs them: without `--history` it is bad input, before any load. */
function refuseWithoutHistory(gates: readonly Gate[]): void {
  const gate = gates.find((g) => g.right.kind === 'history');
  if (gate) throw new UsageError(`gate '${gate.source}' reads past runs: add --history DIR`);
}

/** Under --quiet a watch still says when its recording starts: scripts wait for it to deploy. */
function quietWatch(options: RunAndReportOptions, io: CliIo): RunObserver {
  if (!options.quiet || !options.watch) return {};
  let variant = '';
  return {
    trialStarted: (trial) => {
      variant = trial.variant;
    },
    loadStarted: () => io.stderr.write(`${forTerminal(recordingLine(variant))}\n`),
  };
}

/** The report to open: the page, else results.json, as written; none is named that was not. */
function reportLine(folder: OutputFolder): string {
  const report = reportFile(folder) ?? writtenFile(folder, 'results.json');
  return report ? `Report: ${report}` : `No report was written to ${folder.dir}`;
}

/** The report's page, once written. */
function reportFile(folder: OutputFolder): string | undefined {
  return writtenFile(folder, 'index.html');
}

function writtenFile(folder: OutputFolder, name: string): string | undefined {
  return folder.written.find((file) => path.basename(file) === name);
}

/** Until one of `signals` comes (`--serve-after`: Ctrl-C ends the serving, not the run). */
function untilSignal(io: CliIo, signals: readonly NodeJS.Signals[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const signal of signals) io.signals.off(signal, done);
      resolve();
    };
    for (const signal of signals) io.signals.on(signal, done);
  });
}

/** reports/<date-time>-<scenario>/, with -2, -3… when two runs start in the same second. */
export async function freeDefaultOutDir(scenarioName: string): Promise<string> {
  const base = defaultOutDir(scenarioName);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/** reports/<date-time>-<scenario>/, under the current folder. */
function defaultOutDir(scenarioName: string): string {
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  return path.join('reports', `${stamp}-${slugOf(scenarioName)}`);
}

/** A `--gate` of the command line, read against the scenario's variants and endpoints. */
export function parseCommandLineGate(source: string, loaded: LoadedScenario): Gate {
  try {
    return parseGate(
      source,
      loaded.scenario.variants.map((v) => v.name),
      endpointNames(loaded.scenario),
    );
  } catch (error) {
    if (!(error instanceof GateSyntaxError)) throw error;
    throw new UsageError(`--gate '${source}': column ${error.column}: ${error.message}`);
  }
}

/** `--history` and `--history-min-runs`, as `bench run` and `bench watch` read them. */
export const HISTORY_OPTION = {
  type: 'string',
  requiresArg: true,
  describe:
    'folder of past runs: gate against them (p95(history)), place this run among them, add it',
} as const;

export const HISTORY_MIN_RUNS_OPTION = {
  type: 'number',
  requiresArg: true,
  describe: `with --history: past runs a history gate needs before it judges (default ${DEFAULT_MIN_RUNS})`,
} as const;

export function historyProblem(args: {
  history?: string;
  historyMinRuns?: number;
}): string | undefined {
  const min = args.historyMinRuns;
  if (min !== undefined && !(Number.isInteger(min) && min >= 1 && min <= KEPT_RUNS))
    return `--history-min-runs: expected a whole number from 1 to ${KEPT_RUNS} (a folder keeps ${KEPT_RUNS} runs)`;
  if (min !== undefined && args.history === undefined)
    return '--history-min-runs goes with --history';
  if (args.history === '') return '--history: expected a folder';
  return undefined;
}

export function historyOptions(args: { history?: string; historyMinRuns?: number }): {
  history?: HistoryOptions;
} {
  return args.history === undefined
    ? {}
    : { history: { dir: args.history, minRuns: args.historyMinRuns ?? DEFAULT_MIN_RUNS } };
}

/** `--serve` and `--serve-after`, as `bench run` and `bench watch` read them. */
export const SERVE_OPTION = {
  type: 'string',
  requiresArg: true,
  describe:
    'serve the live page, /metrics and /gate at [HOST:]PORT (127.0.0.1 unless a host is named; 0: any free port)',
} as const;

export const SERVE_AFTER_OPTION = {
  type: 'boolean',
  default: false,
  describe: 'with --serve: keep serving after the run (the report at /report) until Ctrl-C',
} as const;

export function serveProblem(args: { serve?: string; serveAfter?: boolean }): string | undefined {
  if (args.serve !== undefined && !parseServeAddress(args.serve))
    return `--serve ${args.serve}: expected [HOST:]PORT, e.g. 9464, 0.0.0.0:9464 or [::1]:9464`;
  if (args.serveAfter && args.serve === undefined) return '--serve-after goes with --serve';
  return undefined;
}

export function serveOptions(args: { serve?: string; serveAfter?: boolean }): {
  serve?: ServeOptions;
} {
  const address = args.serve === undefined ? undefined : parseServeAddress(args.serve);
  return address ? { serve: { address, after: args.serveAfter ?? false } } : {};
}

/** The options `bench run` and `bench watch` share for what they write and show. */
export const FORCE_OPTION = {
  type: 'boolean',
  default: false,
  describe: 'write into an --out folder that already holds files',
} as const;

export const QUIET_OPTION = {
  type: 'boolean',
  default: false,
  describe: 'no progress and no phase lines: only the summary and problems',
} as const;

/** What is wrong with `--users` and `--rate` as given, for a command's `.check()`. */
export function usersOrRateProblem(args: { users?: number; rate?: string }): string | undefined {
  // yargs reads `--users many` as NaN: say what was expected, not "NaN".
  if (args.users !== undefined && !Number.isInteger(args.users))
    return '--users: expected a whole number of users, e.g. --users 8';
  if (args.users !== undefined && args.rate !== undefined)
    return '--users and --rate: expected one (closed users, or an open rate)';
  return undefined;
}
