import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { groupGone, signalGroup, spawnGroup, untrackGroup } from '../process/process-group.ts';
import { readLines } from '../process/read-lines.ts';
import { sleep, within } from '../process/sleep.ts';
import { acceptsConnections } from './ports.ts';

/** After SIGKILL, how long the group's last members may take to be gone. */
const GROUP_GONE_WITHIN_MS = 2000;

export interface AppLaunch {
  command: string | string[];
  cwd: string;
  /** The whole environment, but PORT and RELEASE, which are set from `port` and `release`. */
  env: NodeJS.ProcessEnv;
  port: number;
  release: string;
  /** Name such as web.1, for timelines and messages. */
  name: string;
}

export interface ProcessExit {
  code: number | undefined;
  signal: string | undefined;
  /** Why it could not even start (e.g. the program does not exist). */
  startError?: string;
}

const POLL_MS = 25;
/** How long the output of a process that exited is still read, for its last lines. */
const OUTPUT_AFTER_EXIT_MS = 200;
/** Enough for a whole Node.js or Python error with its stack, which ends with a version line. */
const OUTPUT_LINES_KEPT = 20;

/** One app process of the embedded platform, in a process group of its own. */
export class AppProcess {
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;
  private readonly child: ChildProcess;
  /** The last lines of each stream: why a process that exits early did so is usually on stderr. */
  private readonly recentOutput = { stdout: [] as string[], stderr: [] as string[] };

  private constructor(readonly launch: AppLaunch) {
    const { command, cwd, env, port, release } = launch;
    const own = { PORT: String(port), RELEASE: release };
    // A list command runs without a shell: its `${PORT}` and `${RELEASE}` are filled in here.
    const argv = Array.isArray(command)
      ? command.map((arg) =>
          arg.replace(/\$\{(PORT|RELEASE)\}/g, (_m, name: 'PORT' | 'RELEASE') => own[name]),
        )
      : command;
    this.child = spawnGroup(argv, { cwd, env: { ...env, ...own } });
    const ended = (['stdout', 'stderr'] as const).map(
      (name) => readLines(this.child[name], (line) => this.keepOutput(name, line)).ended,
    );
    this.exited = new Promise<ProcessExit>((resolve) => {
      this.child.once('error', (error) =>
        resolve({ code: undefined, signal: undefined, startError: error.message }),
      );
      this.child.once('exit', async (code, signal) => {
        // Its last words (why it exited) may still be in the pipe; a grandchild may hold it open.
        await within(Promise.all(ended), OUTPUT_AFTER_EXIT_MS, undefined);
        const notFound = code === 127 ? this.programNotFound() : undefined;
        resolve({
          code: code ?? undefined,
          signal: signal ?? undefined,
          ...(notFound ? { startError: `${notFound}: not found` } : {}),
        });
      });
    }).then((exit) => {
      this.exit = exit;
      return exit;
    });
  }

  static start(launch: AppLaunch): AppProcess {
    return new AppProcess(launch);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get name(): string {
    return this.launch.name;
  }

  get port(): number {
    return this.launch.port;
  }

  get release(): string {
    return this.launch.release;
  }

  /**
   * Resolves once the process is up: it accepts connections on its port or, with a readiness path,
   * answers it with 2xx. Rejects when it exits first, the timeout passes, or the signal aborts.
   */
  async waitUntilUp(options: { timeoutMs: number; readinessPath?: string; signal?: AbortSignal }) {
    const deadline = performance.now() + options.timeoutMs;
    while (performance.now() < deadline) {
      if (options.signal?.aborted) throw new Error(`${this.name}: stopped while booting`);
      if (this.exit)
        throw new Error(
          this.exit.startError
            ? `${this.name} could not be started: ${this.exit.startError}`
            : `${this.name} exited (${describeExit(this.exit)}) before it came up${this.outputHint()}`,
        );
      const up = options.readinessPath
        ? await answersReadiness(this.port, options.readinessPath)
        : await acceptsConnections(this.port, 500);
      if (up) return;
      await sleep(POLL_MS, options.signal);
    }
    throw new Error(
      `${this.name} did not come up within ${options.timeoutMs} ms${this.outputHint()}`,
    );
  }

  /** SIGTERM to the group, SIGKILL after the grace period; always leaves no process of the group behind. */
  async stop(graceMs: number): Promise<ProcessExit> {
    const pid = this.child.pid;
    if (pid === undefined) return this.exited;
    if (!this.exit) signalGroup(pid, 'SIGTERM');
    const exitedInTime = await within(
      this.exited.then(() => true),
      graceMs,
      false,
    );
    // The leader may be gone while children it started live on: the group gets SIGKILL either way.
    signalGroup(pid, 'SIGKILL');
    untrackGroup(pid);
    const exit = await this.exited;
    // The leader's exit comes first; the rest of the group (its watchdog, a child) a moment later.
    await groupGone(pid, GROUP_GONE_WITHIN_MS);
    return exitedInTime ? exit : { ...exit, signal: 'SIGKILL' };
  }

  private keepOutput(stream: 'stdout' | 'stderr', line: string): void {
    if (line.trim() === '') return;
    const kept = this.recentOutput[stream];
    kept.push(line);
    if (kept.length > OUTPUT_LINES_KEPT) kept.shift();
  }

  /**
   * The program a shell could not find, when that is all that happened: exit code 127 with one line
   * of stderr such as `deploy-bench: 3: exec: NAME: not found` (dash) or `… line 3: exec: NAME: not
   * found` (bash), and no other output.
   */
  private programNotFound(): string | undefined {
    const { stdout, stderr } = this.recentOutput;
    if (stdout.length > 0 || stderr.length !== 1) return undefined;
    return / (\S+): not found$/.exec(stderr[0] ?? '')?.[1];
  }

  /** Its last lines of stderr (of stdout when it wrote nothing there), one per line, indented. */
  private outputHint(): string {
    const { stdout, stderr } = this.recentOutput;
    const [name, lines] = stderr.length > 0 ? ['stderr', stderr] : ['stdout', stdout];
    if (lines.length === 0) return '';
    return `; the last lines of its ${name}:\n${lines.map((line) => `    ${line}`).join('\n')}`;
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

function answersReadiness(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(
      { host: '127.0.0.1', port, path, timeout: 1000, agent: false },
      (response) => {
        response.resume();
        resolve((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300);
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}
