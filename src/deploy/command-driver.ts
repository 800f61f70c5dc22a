import { execa } from 'execa';
import { signalGroup, trackGroup, untrackGroup } from '../process/process-group.ts';
import type { DeployDriver } from './events.ts';

export interface LogLine {
  t: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

/**
 * Deploys by running a shell command (e.g. `git push heroku main`, `kubectl rollout restart ...`) in a
 * process group of its own; its exit status decides success and its output lines are kept, stamped.
 */
export function commandDriver(options: {
  command: string;
  cwd: string;
  now: () => number;
  log: LogLine[];
}): DeployDriver {
  return {
    async deploy(emit, signal) {
      const child = execa(options.command, {
        shell: true,
        cwd: options.cwd,
        detached: true,
        reject: false,
        stdin: 'ignore',
        buffer: false,
      });
      const pid = child.pid;
      if (pid !== undefined) trackGroup(pid);
      emit('booting', `$ ${options.command}`);
      for (const stream of ['stdout', 'stderr'] as const) {
        let pending = '';
        child[stream]?.setEncoding('utf8');
        child[stream]?.on('data', (chunk: string) => {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) options.log.push({ t: options.now(), stream, line });
        });
        child[stream]?.on('end', () => {
          if (pending) options.log.push({ t: options.now(), stream, line: pending });
        });
      }
      const stop = () => pid !== undefined && signalGroup(pid, 'SIGKILL');
      signal.addEventListener('abort', stop, { once: true });
      try {
        const result = await child;
        if (result.exitCode !== 0) {
          stop();
          const last = options.log.at(-1)?.line;
          const how = result.signal
            ? `was killed by ${result.signal}`
            : `exited with code ${result.exitCode}`;
          throw new Error(`deploy command ${how}${last ? `; last output: ${last}` : ''}`);
        }
      } finally {
        signal.removeEventListener('abort', stop);
        // After a success, what the command left in the background may be the new release itself:
        // it is the user's target, not ours to stop. A failed or interrupted deploy's group is killed.
        if (pid !== undefined) untrackGroup(pid);
      }
    },
  };
}
