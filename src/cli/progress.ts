import cliTruncate from 'cli-truncate';
import { createLogUpdate } from 'log-update';
import pc from 'picocolors';
import type { LiveModel, LiveSnapshot } from '../live/model.ts';
import { forTerminal, showControls } from '../text/escape.ts';
import { formatMs } from '../text/format.ts';

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

type Colors = ReturnType<typeof pc.createColors>;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The live view: the trial's progress, what users wait for now, and the instances as `heroku ps`
 * would list them, with a marker and a share for those that receive traffic (live/model.ts).
 */
function statusLines(live: LiveSnapshot, colors: Colors): string[] {
  const { trial } = live;
  if (!trial) return [`${colors.bold('…')} ${live.state}`];
  const filled = Math.round(live.done * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const of = `of ~${Math.max(1, Math.round(trial.expectedMs / 1000))} s${trial.expectedOpen ? ' + the deploy' : ''}`;
  // A watch without --duration has no end to show progress towards: how long it has run.
  const head =
    live.watching && trial.stage === 'stopping'
      ? `${colors.bold(trial.variant)}  ${seconds(trial.elapsedMs)} · ending: waiting for the requests in flight; Ctrl-C again stops waiting (they count as failed)`
      : live.watching && trial.expectedOpen
        ? `${colors.bold(trial.variant)}  ${seconds(trial.elapsedMs)} · Ctrl-C ends the watch`
        : `${colors.bold(trial.variant)} trial ${trial.trial}/${live.trialsPerVariant}  ${seconds(trial.elapsedMs)} ${of}  ${bar} ${Math.round(100 * live.done)} % of the run`;
  const { load } = live;
  if (trial.stage === 'starting the target' || trial.stage === 'settling' || !load) {
    // Nothing is measured yet: no figures that would read as measured zeros.
    const what =
      trial.stage !== 'settling'
        ? ''
        : live.watching
          ? ' · unrecorded load, the baseline for the slow threshold'
          : ' · unrecorded load, to warm the target up';
    return [head, `  ${colors.cyan(trial.stage)}${what}`, ...instanceLines(live, colors)];
  }
  const errors = load.failed > 0 ? colors.red(`${load.failed} failed`) : '0 failed';
  const age = load.oldestInFlightMs;
  const waiting =
    load.inFlight === 0
      ? '0 in flight'
      : `${load.inFlight} in flight, oldest ${age >= LONG_WAIT_MS ? colors.yellow(formatMs(age)) : formatMs(age)}`;
  const answered = load.requests > 0;
  const latency = `last ${answered ? formatMs(load.lastMs) : '—'} · worst ${answered ? formatMs(load.worstMs) : '—'}`;
  return [
    head,
    // What users wait for first; the deploy's phase last, where a long detail may be cut.
    `  ${colors.cyan(trial.stage)} · ${load.rate !== undefined ? Math.round(load.rate) : '…'} req/s · ${waiting} · ${latency} · ${errors}${trial.phase ? ` · ${showControls(trial.phase)}` : ''}`,
    ...instanceLines(live, colors),
  ];
}

function instanceLines(live: LiveSnapshot, colors: Colors): string[] {
  const rows = live.instances.map((instance) => {
    const state =
      instance.state === 'answering'
        ? 'answering'
        : instance.state === 'idle'
          ? instance.forMs === undefined
            ? 'seen'
            : `idle for ${seconds(instance.forMs)}`
          : `${instance.state}${instance.notRouted ? ', not routed' : ''} for ${seconds(instance.forMs ?? 0)}`;
    const marker =
      instance.share > 0 ? colors.green(`◀ ${Math.round(100 * instance.share)} % of traffic`) : '';
    // Instance names come from the target's headers: shown, never acted on.
    return [showControls(instance.id), state, marker] as const;
  });
  const width = Math.max(0, ...rows.map(([id]) => id.length));
  const shown = rows
    .slice(0, MAX_INSTANCE_LINES)
    .map(([id, state, marker]) => `  ${id.padEnd(width)}  ${state.padEnd(18)} ${marker}`.trimEnd());
  if (rows.length > MAX_INSTANCE_LINES)
    shown.push(`  … and ${rows.length - MAX_INSTANCE_LINES} more instances`);
  return shown;
}

export function startProgress(
  live: LiveModel,
  mode: ProgressMode,
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv,
): Progress {
  if (mode === 'quiet') return { log: () => {}, stop: () => {} };
  const colors = pc.createColors(mode === 'tty' && !env.NO_COLOR);
  const status = () => statusLines(live.snapshot(), colors);

  if (mode === 'lines') {
    // Each block shows the model's traffic of the last few seconds, not an average since the last
    // block: a process stopped since holds no share.
    const timer = setInterval(() => stream.write(`${status().join('\n')}\n`), PLAIN_EVERY_MS);
    timer.unref();
    return {
      log: (line) => stream.write(`${forTerminal(line)}\n`),
      stop: () => clearInterval(timer),
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
