import type { DeployConfig } from '../scenario/schema.ts';
import { compilePattern } from '../text/pattern.ts';
import type { OutputLog } from './bounded-log.ts';
import type { DeployDriver } from './driver.ts';
import { describeFailure, runShell } from './shell.ts';

/**
 * Deploys by running a shell command (e.g. `git push heroku main`, `kubectl rollout restart ...`):
 * its exit status decides success, its output lines are kept, stamped on the trial's clock, and the
 * scenario's markers turn matching lines into timeline phases.
 */
export function commandDriver(options: {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  now: () => number;
  log: OutputLog;
  markers: DeployConfig['markers'];
}): DeployDriver {
  const markers = options.markers.map((m) => ({
    pattern: compilePattern(m.pattern),
    phase: m.phase,
  }));
  return {
    async deploy(emit, signal) {
      emit('booting', `$ ${options.command}`);
      const result = await runShell({
        command: options.command,
        cwd: options.cwd,
        env: options.env,
        now: options.now,
        log: options.log,
        signal,
        onLine: (line) => {
          for (const marker of markers) {
            if (!marker.pattern.test(line)) continue;
            // A group named `instance` names the instance the line is about.
            const instance = marker.pattern.namedGroup(line, 'instance');
            emit(marker.phase, line, instance || undefined);
          }
        },
      });
      if (result.exitCode !== 0) throw new Error(`deploy command ${describeFailure(result)}`);
    },
  };
}
