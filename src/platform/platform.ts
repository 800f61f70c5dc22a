import path from 'node:path';
import type { EmitPhase } from '../results/deploy-events.ts';
import type { PlatformConfig, Strategy } from '../scenario/schema.ts';
import { AppProcess, type ProcessExit } from './app-process.ts';
import { InstanceLog } from './instance-log.ts';
import { findFreePort } from './ports.ts';
import { Router } from './router.ts';
import { bootRelease, deployWithStrategy, type Supervisor } from './strategies.ts';

/**
 * The embedded stand-in for a PaaS: a router on one port in front of app processes that a supervisor
 * starts with PORT and RELEASE set. Everything it starts is stopped by stop().
 */
export class EmbeddedPlatform {
  /** Every process's life, for the lanes of the reports and the live view. */
  readonly instances = new InstanceLog();
  private processes: AppProcess[] = [];
  private releaseNumber = 0;
  private stopped = false;

  private constructor(
    private readonly config: PlatformConfig,
    /** The scenario's folder: the app's command and cwd resolve from it. */
    private readonly cwd: string,
    private readonly router: Router,
    readonly port: number,
    /** The environment the app's processes start with, beside `app.env`, PORT and RELEASE. */
    private readonly env: NodeJS.ProcessEnv,
  ) {
    router.onDrained = (name, drain) => this.instances.drained(name, drain);
  }

  /** Starts the router and the first release, and resolves once every process is up and routed. */
  static async start(
    config: PlatformConfig,
    cwd: string,
    signal?: AbortSignal,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<EmbeddedPlatform> {
    const router = new Router(config.routerTimeout);
    let port: number;
    try {
      port = await router.listen(config.port);
    } catch (error) {
      await router.close().catch(() => {});
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'EADDRINUSE' ? `port ${config.port} is already in use` : String(error);
      throw new Error(`the platform's router cannot listen: ${reason}`);
    }
    const platform = new EmbeddedPlatform(config, cwd, router, port, env);
    try {
      const first = await bootRelease(platform.supervisor, () => {}, signal);
      for (const process of first) platform.supervisor.route(process);
    } catch (error) {
      await platform.stop();
      throw error;
    }
    return platform;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  deploy(strategy: Strategy, emit: EmitPhase, signal: AbortSignal): Promise<void> {
    return deployWithStrategy(strategy, this.supervisor, emit, signal);
  }

  /** The strategies' handle on the processes: what they may do, and only that. */
  private readonly supervisor: Supervisor<AppProcess> = {
    processCount: () => this.config.processes,
    running: () => this.processes,
    nextRelease: () => `v${++this.releaseNumber}`,
    startProcess: (release, index, emit) => this.startProcess(release, index, emit),
    waitUp: (process, emit, signal) => this.waitUp(process, emit, signal),
    route: (process) => this.routeProcess(process),
    stopProcesses: (processes, emit) => this.stopProcesses(processes, emit),
  };

  /** Starts one process of a release: the rolling strategy boots them one at a time. */
  private async startProcess(release: string, index: number, emit: EmitPhase): Promise<AppProcess> {
    // A deploy cut short by an interruption must not start processes after everything was stopped.
    if (this.stopped) throw new Error('the platform is stopped');
    const process = AppProcess.start({
      command: this.config.app.command,
      cwd: path.resolve(this.cwd, this.config.app.cwd ?? '.'),
      env: { ...this.env, ...this.config.app.env },
      port: await findFreePort(),
      release,
      name: `web.${index}@${release}`,
    });
    this.processes.push(process);
    this.instances.note(process.name, release, 'started');
    // However it ends (stopped, or crashed on its own), its lane ends there.
    void process.exited.then((exit) =>
      this.instances.note(process.name, release, 'stopped', describeExit(exit)),
    );
    emit('booting', `${process.name} pid ${process.pid} port ${process.port}`);
    return process;
  }

  private async waitUp(process: AppProcess, emit: EmitPhase, signal?: AbortSignal): Promise<void> {
    await process.waitUntilUp({
      timeoutMs: this.config.bootTimeout,
      readinessPath: this.config.readiness?.path,
      signal,
    });
    this.instances.note(process.name, process.release, 'up');
    emit('up', process.name);
  }

  private routeProcess(process: AppProcess): void {
    this.router.route({ name: process.name, release: process.release, port: process.port });
    this.instances.note(process.name, process.release, 'routed');
  }

  /**
   * Takes processes out of the routing and stops them: SIGTERM lets requests in flight finish within
   * the grace period; a request that SIGKILL cuts off is answered 503 by the router.
   */
  private async stopProcesses(toStop: readonly AppProcess[], emit: EmitPhase): Promise<void> {
    await Promise.all(
      toStop.map(async (process) => {
        emit('stopping', process.name);
        this.router.unroute(process.name);
        this.instances.note(process.name, process.release, 'unrouted');
        this.instances.note(process.name, process.release, 'stopping');
        const exit = await process.stop(this.config.stopGrace);
        this.processes = this.processes.filter((p) => p !== process);
        const how = describeExit(exit);
        this.instances.note(process.name, process.release, 'stopped', how);
        emit('stopped', `${process.name} ${how}`);
      }),
    );
  }

  /** Stops the router and every process; safe to call more than once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.router.close();
    // A short grace: the run is over, nobody waits for these processes' answers any more.
    await Promise.all(
      this.processes.map((process) => process.stop(Math.min(this.config.stopGrace, 2000))),
    );
    this.processes = [];
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit ${exit.code}`;
}
