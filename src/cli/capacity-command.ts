import Table from 'cli-table3';
import { measureCapacity } from '../capacity/measure-capacity.ts';
import { EXIT } from '../errors/tool-error.ts';
import type { TargetConnection } from '../load/connection.ts';
import { readScenarioFiles, withBodies } from '../scenario/files.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import type { RequestConfig } from '../scenario/schema.ts';
import { DURATION_HINT, parseDuration } from '../text/duration.ts';
import { forTerminal } from '../text/escape.ts';
import { formatMs } from '../text/format.ts';
import { openTarget, type Target, TargetError } from '../trial/target.ts';
import { waitUntilReady } from '../trial/wait-ready.ts';
import { defineCommandLine } from './command-line.ts';
import type { CliIo } from './io.ts';
import { UsageError } from './usage-error.ts';

const DEFAULT_REQUEST: RequestConfig = { method: 'GET', path: '/', headers: {} };
/** How long the target gets to answer a first request before the measurement. */
const READY_WITHIN_MS = 3000;
const NEVER = new AbortController().signal;

/**
 * `bench capacity URL|SCENARIO`: the target's sustainable rate at steady state, and a load level to
 * run a deploy test at. A scenario's embedded platform is started (its first release) and stopped.
 */
export async function capacityCommand(
  args: {
    target: string;
    duration: string;
    connections: string;
  },
  io: CliIo,
): Promise<number> {
  // In increasing order, once each: a rate still rising is read from the last two steps.
  const connections = [...new Set(args.connections.split(',').map((c) => Number(c.trim())))].sort(
    (a, b) => a - b,
  );
  if (connections.some((c) => !Number.isInteger(c) || c < 1 || c > 10_000)) {
    throw new UsageError(
      `--connections: expected whole numbers from 1 to 10000, such as 1,4,16,64; got "${args.connections}"`,
    );
  }
  // A bare number is seconds, as it was before durations took units.
  const stepMs = /^\d+(\.\d+)?$/.test(args.duration.trim())
    ? Number(args.duration) * 1000
    : parseDuration(args.duration);
  if (stepMs === undefined || stepMs < 1000 || stepMs > 600_000)
    throw new UsageError(
      `--duration ${args.duration}: expected ${DURATION_HINT}, from 1s to 10m per step`,
    );
  const durationSeconds = stepMs / 1000;

  let origin: string;
  let request = DEFAULT_REQUEST;
  let target: Target | undefined;
  /**
   * A scenario's https settings, for the readiness probe. Its certificate is checked as a trial
   * checks it, before any load (autocannon itself would accept any).
   */
  let connection: TargetConnection | undefined;
  if (/^https?:\/\//.test(args.target)) {
    origin = new URL(args.target).origin;
    request = { ...DEFAULT_REQUEST, path: new URL(args.target).pathname };
  } else {
    const loaded = await loadScenarioFile(args.target, io.env);
    // With several endpoints, the first one's rate: autocannon sends one request shape at a time.
    const files = await readScenarioFiles(loaded.scenario, loaded.dir);
    const load = withBodies(loaded.scenario.load, files);
    request = load.request ?? load.endpoints?.[0] ?? DEFAULT_REQUEST;
    const [first, ...others] = load.endpoints ?? [];
    if (first && others.length > 0)
      io.stderr.write(
        forTerminal(
          `measuring endpoint ${first.name}, the first of ${others.length + 1}: autocannon sends one request shape\n`,
        ),
      );
    if ('platform' in loaded.scenario.target)
      io.stderr.write('starting the embedded platform (first release)…\n');
    try {
      // The same target a trial opens: the platform's first release, or the URL once it is ready
      // and its certificate accepted.
      target = await openTarget({ ...loaded, files, signal: NEVER });
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      io.stderr.write(forTerminal(`bench capacity: ${error.message}\n`));
      return EXIT.runFailed;
    }
    ({ connection } = target);
    origin = connection.origin;
  }

  try {
    // A target that answers nothing has no capacity to measure: one line, not a table of errors.
    try {
      await waitUntilReady(
        new URL(request.path, origin).toString(),
        READY_WITHIN_MS,
        NEVER,
        connection,
      );
    } catch (error) {
      io.stderr.write(forTerminal(`bench capacity: ${(error as Error).message}\n`));
      return EXIT.runFailed;
    }
    const result = await measureCapacity({
      origin,
      request,
      connections,
      durationSeconds,
      onStep: (s) =>
        io.stderr.write(
          `${String(s.connections).padStart(5)} connections: ${Math.round(s.requestsPerSecond)} requests/s\n`,
        ),
    });
    const table = new Table({
      head: ['connections', 'requests/s', 'p50', 'p99', 'errors', 'non-2xx'],
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const s of result.steps) {
      table.push([
        s.connections,
        Math.round(s.requestsPerSecond),
        `${s.p50Ms} ms`,
        `${s.p99Ms} ms`,
        s.errors,
        s.non2xx,
      ]);
    }
    io.stdout.write(
      `Capacity of ${origin} at steady state (autocannon, ${formatMs(stepMs)} per step)\n${table.toString()}\n`,
    );
    if (result.capacity === 0) {
      const worst = result.steps.reduce((n, s) => n + s.errors + s.non2xx, 0);
      io.stderr.write(
        `bench capacity: no step ran without errors (${worst.toLocaleString('en-US')} errors and non-2xx answers in all): the target cannot take ${Math.min(...connections)} connection(s) at steady state, so there is no load to suggest\n`,
      );
      return EXIT.runFailed;
    }
    const top = connections.at(-1) ?? 1;
    const more =
      top * 4 <= 10_000
        ? `try \`--connections ${connections.join(',')},${top * 4}\` for the ceiling`
        : 'more connections than 10000 would need more than one machine (docs/scale.md)';
    const rate = `${Math.round(result.capacity)} requests/s without errors`;
    io.stdout.write(
      !result.stillRising
        ? `Capacity: ${rate}.\n`
        : connections.length === 1
          ? `Capacity: at least ${rate}: one step shows no ceiling; ${more}.\n`
          : `Capacity: at least ${rate}: still rising at ${top} connections; ${more}.\n`,
    );
    const { users, measuredRate, measuredWith } = result.suggestedUsers;
    const plural = (n: number) => `${n} connection${n === 1 ? '' : 's'}`;
    const measured =
      measuredWith === users
        ? `${measuredRate} requests/s measured with ${plural(users)}`
        : `fewer than the ${plural(measuredWith)} that made ${measuredRate} requests/s`;
    io.stdout.write(
      `Suggested deploy-test load (half of it): \`load: { model: open, rate: ${result.suggestedRate}/s }\`, or a closed model with \`users: ${users}\` (${measured}).\n`,
    );
    return EXIT.ok;
  } finally {
    await target?.stop();
  }
}

/** `bench capacity TARGET [options]` */
export const capacityCommandLine = defineCommandLine(
  (command) =>
    command
      .positional('target', {
        type: 'string',
        demandOption: true,
        describe: 'a URL, or a scenario file',
      })
      .option('duration', {
        type: 'string',
        requiresArg: true,
        default: '5s',
        describe: 'per step, e.g. 2s (a bare number is seconds)',
      })
      .option('connections', {
        type: 'string',
        requiresArg: true,
        default: '1,4,16,64',
        describe: 'connection counts to try',
      })
      .example(
        '$0 capacity scenarios/preboot.yaml',
        "the sample app's capacity, and a load level for the demo",
      ),
  (args, io) =>
    capacityCommand(
      { target: args.target, duration: args.duration, connections: args.connections },
      io,
    ),
);
