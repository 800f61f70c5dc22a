import { execa } from 'execa';
import { signalGroup, trackGroup, untrackGroup } from '../process/process-group.ts';

export interface LogLine {
  t: number;
  stream: 'stdout' | 'stderr';
  line: string;
  /** Where it came from when not the deploy command itself, e.g. "hook beforeTrial". */
  source?: string;
}

export interface ShellRun {
  command: string;
  cwd: string;
  /** The trial's clock, to stamp each line. */
  now: () => number;
  log: LogLine[];
  source?: string;
  signal: AbortSignal;
  onLine?: (line: string) => void;
}

/**
 * Runs a shell command in a process group of its own and keeps its output, stamped; an abort kills
 * the whole group. Resolves with the exit; never rejects for a non-zero exit (the caller decides).
 * After a success, what the command left in the background (often the new release itself) is the
 * user's, not ours to stop; after a failure or an abort its group is killed.
 */
export async function runShell(
  run: ShellRun,
): Promise<{ exitCode?: number; signal?: string; lastLine?: string }> {
  const child = execa(run.command, {
    shell: true,
    cwd: run.cwd,
    detached: true,
    reject: false,
    stdin: 'ignore',
    buffer: false,
  });
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);
  let lastLine: string | undefined;
  const keep = (stream: 'stdout' | 'stderr', line: string) => {
    run.log.push({ t: run.now(), stream, line, ...(run.source ? { source: run.source } : {}) });
    lastLine = line;
    run.onLine?.(line);
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    let pending = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) keep(stream, line);
    });
    child[stream]?.on('end', () => {
      if (pending) keep(stream, pending);
    });
  }
  const kill = () => pid !== undefined && signalGroup(pid, 'SIGKILL');
  run.signal.addEventListener('abort', kill, { once: true });
  try {
    const result = await child;
    if (result.exitCode !== 0) kill();
    return {
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      ...(result.signal ? { signal: result.signal } : {}),
      ...(lastLine !== undefined ? { lastLine } : {}),
    };
  } finally {
    run.signal.removeEventListener('abort', kill);
    if (pid !== undefined) untrackGroup(pid);
  }
}

/** "exited with code 7; last output: push rejected" */
export function describeFailure(result: {
  exitCode?: number;
  signal?: string;
  lastLine?: string;
}): string {
  const how = result.signal
    ? `was killed by ${result.signal}`
    : `exited with code ${result.exitCode}`;
  return `${how}${result.lastLine ? `; last output: ${result.lastLine}` : ''}`;
}
