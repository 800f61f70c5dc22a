import cliTruncate from 'cli-truncate';
import { createLogUpdate } from 'log-update';
import pc from 'picocolors';
import type { LoadProgress } from '../measured-load/counters.ts';
import { forTerminal, showControls } from '../text/escape.ts';
import { formatMs } from '../text/format.ts';
import type { LiveStats } from './live-stats.ts';

export type ProgressMode = 'tty' | 'lines' | 'quiet';

/** Live progress: redrawn lines on a terminal, a plain line every few seconds elsewhere (CI, pipes). */
export interface Progress {
  /** A line that stays (a deploy phase, a warning). */
  log(line: string): void;
  stop(): void;
}

const TTY_REFRESH_MS = 250;
const PLAIN_EVERY_MS = 5000;
const BAR_WIDTH = 24;

export function progressMode(options: {
  quiet: boolean;
  stream: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}): ProgressMode {
  if (options.quiet) return 'quiet';
  return options.stream.isTTY && !options.env.CI ? 'tty' : 'lines';
}

/** Instances shown live, at most: beyond, a count. */
const MAX_INSTANCE_LINES = 8;
/** A request in flight this long is shown as a wait to watch. */
const LONG_WAIT_MS = 1000;
/**
 * Rates and shares are measured over at least this long: more than two of a worker thread's
 * reports (every 250 ms), so that a window never holds none of them.
 */
const MIN_WINDOW_MS = 600;

type Colors = ReturnType<typeof pc.createColors>;

/** What the view remembers between frames: the counts of its last measurement, per trial. */
interface RateWindow {
  generation: number;
  at: number;
  /** False until the trial's first window closed: no rate is known yet. */
  measured: boolean;
  requests: number;
  answeredBy: Map<string, number>;
  rate: number;
  /** Share of the last window's responses per instance, in [0, 1]. */
  shares: Map<string, number>;
  /** When each instance last answered (performance.now()). */
  lastAnswered: Map<string, number>;
}

function emptyWindow(): RateWindow {
  return {
    generation: -1,
    at: 0,
    measured: false,
    requests: 0,
    answeredBy: new Map(),
    rate: 0,
    shares: new Map(),
    lastAnswered: new Map(),
  };
}

function measure(live: LiveStats, counters: LoadProgress, window: RateWindow, now: number): void {
  if (window.generation !== live.generation) {
    // A new trial: its counters started from zero at its start, and so does what the view remembers.
    Object.assign(window, {
      ...emptyWindow(),
      generation: live.generation,
      at: live.trialStartedAt,
    });
  }
  const elapsed = now - window.at;
  if (elapsed < MIN_WINDOW_MS) return;
  const answeredBy = new Map(counters.answeredBy);
  window.rate = Math.max(0, ((counters.requests - window.requests) * 1000) / elapsed);
  const deltas = [...answeredBy].map(
    ([id, count]) => [id, Math.max(0, count - (window.answeredBy.get(id) ?? 0))] as const,
  );
  const total = deltas.reduce((sum, [, n]) => sum + n, 0);
  window.shares = new Map(deltas.map(([id, n]) => [id, total > 0 ? n / total : 0]));
  for (const [id, n] of deltas) if (n > 0) window.lastAnswered.set(id, now);
  window.at = now;
  window.measured = true;
  window.requests = counters.requests;
  window.answeredBy = answeredBy;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The live view: the trial's progress, what users wait for now, and the instances as `heroku ps`
 * would list them, with a marker and a share for those that receive traffic.
 */
function statusLines(live: LiveStats, window: RateWindow, colors: Colors, now: number): string[] {
  if (live.trial === 0) return [`${colors.bold('…')} starting`];
  const counters = live.counters();
  measure(live, counters, window, now);
  const elapsed = now - live.trialStartedAt;
  const expected = live.expected(now);
  const inTrial = expected.ms > 0 ? Math.min(0.99, elapsed / expected.ms) : 0;
  const done =
    live.trialsTotal > 0 ? Math.min(1, (live.trialsDone + inTrial) / live.trialsTotal) : 0;
  const filled = Math.round(done * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const of = `of ~${Math.max(1, Math.round(expected.ms / 1000))} s${expected.open ? ' + the deploy' : ''}`;
  // A watch without --duration has no end to show progress towards: how long it has run.
  const head =
    live.watching && live.currentStage === 'stopping'
      ? `${colors.bold(live.variant)}  ${seconds(elapsed)} · ending: waiting for the requests in flight; Ctrl-C again stops waiting (they count as failed)`
      : live.watching && expected.open
        ? `${colors.bold(live.variant)}  ${seconds(elapsed)} · Ctrl-C ends the watch`
        : `${colors.bold(live.variant)} trial ${live.trial}/${live.trialsPerVariant}  ${seconds(elapsed)} ${of}  ${bar} ${Math.round(100 * done)} % of the run`;
  if (live.currentStage === 'starting the target' || live.currentStage === 'settling') {
    // Nothing is measured yet: no figures that would read as measured zeros.
    const what =
      live.currentStage !== 'settling'
        ? ''
        : live.watching
          ? ' · unrecorded load, the baseline for the slow threshold'
          : ' · unrecorded load, to warm the target up';
    return [
      head,
      `  ${colors.cyan(live.currentStage)}${what}`,
      ...instanceLines(live, window, colors, now),
    ];
  }
  const errors = counters.errors > 0 ? colors.red(`${counters.errors} failed`) : '0 failed';
  const inFlight = counters.inFlight;
  const age =
    inFlight.oldestStart !== undefined && live.clock ? live.clock.now() - inFlight.oldestStart : 0;
  const waiting =
    inFlight.count === 0
      ? '0 in flight'
      : `${inFlight.count} in flight, oldest ${age >= LONG_WAIT_MS ? colors.yellow(formatMs(age)) : formatMs(age)}`;
  const answered = counters.requests > 0;
  const latency = `last ${answered ? formatMs(counters.lastMs) : '—'} · worst ${answered ? formatMs(counters.worstMs) : '—'}`;
  return [
    head,
    // What users wait for first; the deploy's phase last, where a long detail may be cut.
    `  ${colors.cyan(live.currentStage)} · ${window.measured ? Math.round(window.rate) : '…'} req/s · ${waiting} · ${latency} · ${errors}${live.currentPhase ? ` · ${showControls(live.currentPhase)}` : ''}`,
    ...instanceLines(live, window, colors, now),
  ];
}

function instanceLines(live: LiveStats, window: RateWindow, colors: Colors, now: number): string[] {
  const traffic = (id: string) => {
    const share = window.shares.get(id) ?? 0;
    return share > 0 ? colors.green(`◀ ${Math.round(100 * share)} % of traffic`) : '';
  };
  const rows: [string, string, string][] = live.platformInstances
    ? live.platformInstances().map((instance) => [
        instance.id,
        `${instance.state}${instance.state === 'up' && !instance.routed ? ', not routed' : ''} for ${seconds(instance.forMs)}`,
        // A stopped process receives nothing, whatever answered before it stopped.
        instance.state === 'up' || instance.state === 'stopping' ? traffic(instance.id) : '',
      ])
    : // An external target: the instances the load has seen, named by their header or release.
      [...window.answeredBy.keys()].map((id) => {
        const last = window.lastAnswered.get(id);
        const share = window.shares.get(id) ?? 0;
        const state =
          share > 0 ? 'answering' : last === undefined ? 'seen' : `idle for ${seconds(now - last)}`;
        return [id, state, traffic(id)];
      });
  // Instance names come from the target's headers: shown, never acted on.
  for (const row of rows) row[0] = showControls(row[0]);
  const width = Math.max(0, ...rows.map(([id]) => id.length));
  const shown = rows
    .slice(0, MAX_INSTANCE_LINES)
    .map(([id, state, marker]) => `  ${id.padEnd(width)}  ${state.padEnd(18)} ${marker}`.trimEnd());
  if (rows.length > MAX_INSTANCE_LINES)
    shown.push(`  … and ${rows.length - MAX_INSTANCE_LINES} more instances`);
  return shown;
}

export function startProgress(
  live: LiveStats,
  mode: ProgressMode,
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv,
): Progress {
  if (mode === 'quiet') return { log: () => {}, stop: () => {} };
  const colors = pc.createColors(mode === 'tty' && !env.NO_COLOR);
  const window = emptyWindow();
  const status = () => statusLines(live, window, colors, performance.now());

  if (mode === 'lines') {
    // Shares are measured as often as on a terminal, whenever a block is printed: a block shows
    // the traffic of the last moment, not the average since the last block.
    const sampler = setInterval(() => {
      if (live.trial > 0) measure(live, live.counters(), window, performance.now());
    }, MIN_WINDOW_MS);
    const timer = setInterval(() => stream.write(`${status().join('\n')}\n`), PLAIN_EVERY_MS);
    sampler.unref();
    timer.unref();
    return {
      log: (line) => stream.write(`${forTerminal(line)}\n`),
      stop: () => {
        clearInterval(sampler);
        clearInterval(timer);
      },
    };
  }

  // A terminal that reports no size (some pseudo-terminals) would make log-update wrap to nothing.
  if (!stream.columns) Object.assign(stream, { columns: 100 });
  if (!stream.rows) Object.assign(stream, { rows: 24 });
  const render = createLogUpdate(stream, { showCursor: true });
  let stopped = false;
  const draw = () => {
    if (stopped) return;
    // One row per line: a long one is cut at the terminal's edge, not wrapped mid-word.
    const width = Math.max(20, stream.columns - 1);
    render(
      status()
        .map((line) => cliTruncate(line, width))
        .join('\n'),
    );
  };
  const timer = setInterval(draw, TTY_REFRESH_MS);
  timer.unref();
  return {
    log(line) {
      render.clear();
      stream.write(`${forTerminal(line)}\n`);
      draw();
    },
    stop() {
      // Once stopped, nothing is drawn again: no stale frame after the last line.
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      render.clear();
    },
  };
}
