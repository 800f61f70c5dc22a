import { createLogUpdate } from 'log-update';
import pc from 'picocolors';
import type { LiveStats } from '../run/live-stats.ts';
import { formatMs } from '../scenario/duration.ts';

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

export function startProgress(
  live: LiveStats,
  mode: ProgressMode,
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv,
): Progress {
  if (mode === 'quiet') return { log: () => {}, stop: () => {} };
  const colors = pc.createColors(mode === 'tty' && !env.NO_COLOR);
  let lastRequests = 0;
  let lastAt = performance.now();
  let rate = 0;
  const status = (): string[] => {
    const now = performance.now();
    rate = now > lastAt ? ((live.requests - lastRequests) * 1000) / (now - lastAt) : rate;
    lastRequests = live.requests;
    lastAt = now;
    const elapsed = live.loadStartedAt > 0 ? now - live.loadStartedAt : 0;
    const inTrial = live.expectedMs > 0 ? Math.min(1, elapsed / live.expectedMs) : 0;
    const done =
      live.trialsTotal > 0 ? Math.min(1, (live.trialsDone + inTrial) / live.trialsTotal) : 0;
    const filled = Math.round(done * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const errors = live.errors > 0 ? colors.red(`${live.errors} failed`) : '0 failed';
    return [
      `${colors.bold(live.variant || '…')} trial ${live.trial}/${live.trialsPerVariant}  ${bar} ${Math.round(100 * done)} %  ${(elapsed / 1000).toFixed(1)} s of ~${(live.expectedMs / 1000).toFixed(0)} s`,
      `  ${colors.cyan(live.stage)}${live.phase ? ` · ${live.phase}` : ''} · ${Math.round(rate)} req/s · last ${formatMs(live.lastMs)} · worst ${formatMs(live.worstMs)} · ${errors}`,
    ];
  };

  if (mode === 'lines') {
    const timer = setInterval(() => stream.write(`${status().join('\n')}\n`), PLAIN_EVERY_MS);
    timer.unref();
    return {
      log: (line) => stream.write(`${line}\n`),
      stop: () => clearInterval(timer),
    };
  }

  // A terminal that reports no size (some pseudo-terminals) would make log-update wrap to nothing.
  if (!stream.columns) Object.assign(stream, { columns: 100 });
  if (!stream.rows) Object.assign(stream, { rows: 24 });
  const render = createLogUpdate(stream, { showCursor: true });
  const draw = () => render(status().join('\n'));
  const timer = setInterval(draw, TTY_REFRESH_MS);
  timer.unref();
  return {
    log(line) {
      render.clear();
      stream.write(`${line}\n`);
      draw();
    },
    stop() {
      clearInterval(timer);
      render.clear();
    },
  };
}
