import type { Hooks } from '../scenario/schema.ts';
import type { OutputLog } from './bounded-log.ts';
import { describeFailure, runShell } from './shell.ts';

/** A hook that failed: the run stops there, keeping what it measured so far. */
export class HookError extends Error {
  override name = 'HookError';
}

/** Runs one of a variant's hooks, if it has one; its output goes to `log`, marked with its name. */
export async function runHook(options: {
  hooks: Hooks | undefined;
  which: keyof Hooks;
  variant: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  now: () => number;
  log: OutputLog;
  signal: AbortSignal;
  /** A hook still running after this is killed, and fails (`timeline.hookTimeout`). */
  timeoutMs: number;
}): Promise<void> {
  const command = options.hooks?.[options.which];
  if (!command || options.signal.aborted) return;
  const result = await runShell({
    command,
    cwd: options.cwd,
    env: options.env,
    now: options.now,
    log: options.log,
    source: `hook ${options.which}`,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (result.exitCode !== 0 && !options.signal.aborted) {
    throw new HookError(
      `${options.variant}: hook ${options.which} (${command}) ${describeFailure(result)}`,
    );
  }
}
