import type { EmitPhase } from '../results/deploy-events.ts';
import type { Strategy } from '../scenario/schema.ts';
import type { EmbeddedPlatform } from './platform.ts';

/**
 * How the embedded platform replaces the running release:
 * - stop-start: stop every old process, then boot the new ones (requests wait in the router meanwhile);
 * - preboot: boot the new processes, switch traffic once all are up, then stop the old ones;
 * - rolling: one process at a time, stop an old one then boot its replacement (capacity dips by one).
 */
export async function deployWithStrategy(
  strategy: Strategy,
  platform: EmbeddedPlatform,
  emit: EmitPhase,
  signal: AbortSignal,
): Promise<void> {
  const old = [...platform.currentProcesses()];
  switch (strategy) {
    case 'stop-start': {
      await platform.stopProcesses(old, emit);
      const fresh = await platform.bootRelease(platform.processCount, emit, signal);
      for (const process of fresh) platform.routeProcess(process);
      emit('switched', `traffic to ${fresh[0]?.release}`);
      return;
    }
    case 'preboot': {
      const fresh = await platform.bootRelease(platform.processCount, emit, signal);
      for (const process of fresh) platform.routeProcess(process);
      emit('switched', `traffic to ${fresh[0]?.release}`);
      await platform.stopProcesses(old, emit);
      return;
    }
    case 'rolling': {
      const release = platform.nextRelease();
      for (const [i, previous] of old.entries()) {
        await platform.stopProcesses([previous], emit);
        const replacement = await platform.startProcess(release, i + 1, emit);
        await platform.waitUp(replacement, emit, signal);
        platform.routeProcess(replacement);
        emit('switched', `${i + 1}/${old.length} processes on ${release}`);
      }
      return;
    }
  }
}
