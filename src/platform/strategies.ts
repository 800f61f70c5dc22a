import type { EmitPhase } from '../results/deploy-events.ts';
import type { Strategy } from '../scenario/schema.ts';

/** A process as a strategy sees it: which one, and of which release. */
export interface SupervisedProcess {
  readonly name: string;
  readonly release: string;
}

/**
 * What a strategy may do with the platform's processes, and nothing more: the embedded platform
 * implements it with real processes and a router, the tests with a deterministic fake.
 */
export interface Supervisor<P extends SupervisedProcess = SupervisedProcess> {
  /** Processes per release. */
  processCount(): number;
  /** The processes running now, oldest first. */
  running(): readonly P[];
  nextRelease(): string;
  /** Starts process `index` of `release`; it is up only once `waitUp` resolves. */
  startProcess(release: string, index: number, emit: EmitPhase): Promise<P>;
  waitUp(process: P, emit: EmitPhase, signal?: AbortSignal): Promise<void>;
  /** Sends traffic to the process (beside the ones already routed). */
  route(process: P): void;
  /** Takes the processes out of the routing, then stops them. */
  stopProcesses(processes: readonly P[], emit: EmitPhase): Promise<void>;
}

/** Starts every process of a new release, one after the other, and waits until all are up. */
export async function bootRelease<P extends SupervisedProcess>(
  supervisor: Supervisor<P>,
  emit: EmitPhase,
  signal?: AbortSignal,
): Promise<P[]> {
  const release = supervisor.nextRelease();
  const started: P[] = [];
  for (let i = 1; i <= supervisor.processCount(); i++) {
    started.push(await supervisor.startProcess(release, i, emit));
  }
  await Promise.all(started.map((process) => supervisor.waitUp(process, emit, signal)));
  return started;
}

/**
 * How the embedded platform replaces the running release:
 * - stop-start: stop every old process, then boot the new ones (requests wait in the router meanwhile);
 * - preboot: boot the new processes, switch traffic once all are up, then stop the old ones;
 * - rolling: one process at a time, stop an old one then boot its replacement (capacity dips by one).
 */
export async function deployWithStrategy<P extends SupervisedProcess>(
  strategy: Strategy,
  supervisor: Supervisor<P>,
  emit: EmitPhase,
  signal: AbortSignal,
): Promise<void> {
  const old = [...supervisor.running()];
  switch (strategy) {
    case 'stop-start': {
      await supervisor.stopProcesses(old, emit);
      const fresh = await bootRelease(supervisor, emit, signal);
      for (const process of fresh) supervisor.route(process);
      emit('switched', `traffic to ${fresh[0]?.release}`);
      return;
    }
    case 'preboot': {
      const fresh = await bootRelease(supervisor, emit, signal);
      for (const process of fresh) supervisor.route(process);
      emit('switched', `traffic to ${fresh[0]?.release}`);
      await supervisor.stopProcesses(old, emit);
      return;
    }
    case 'rolling': {
      const release = supervisor.nextRelease();
      for (const [i, previous] of old.entries()) {
        await supervisor.stopProcesses([previous], emit);
        const replacement = await supervisor.startProcess(release, i + 1, emit);
        await supervisor.waitUp(replacement, emit, signal);
        supervisor.route(replacement);
        emit('switched', `${i + 1}/${old.length} processes on ${release}`);
      }
      return;
    }
  }
}
