import path from 'node:path';
import { type LoadedScenario, parseScenario } from '../../src/scenario/load.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');
/** The CLI as a user runs it. */
export const BENCH = path.join(REPO, 'bin/bench.js');
export const SAMPLE_APP = path.join(REPO, 'examples/app/server.mjs');

/** A scenario for the embedded platform running the sample app, written as YAML like a user would. */
export function sampleAppScenario(options: {
  strategy: string;
  bootMs: number;
  processes?: number;
  users?: number;
  extraEnv?: Record<string, string>;
  platform?: string;
  timeline?: string;
  /** Another app script than the sample app. */
  app?: string;
  /** `load.probe: false`: the users' requests alone reach the app. */
  noProbe?: boolean;
}): LoadedScenario {
  const env = { BOOT_MS: String(options.bootMs), WORK_MS: '2', ...options.extraEnv };
  const text = `
name: test-${options.strategy}
target:
  platform:
    app:
      command: [node, ${JSON.stringify(options.app ?? SAMPLE_APP)}]
      env: ${JSON.stringify(env)}
    processes: ${options.processes ?? 1}
${options.platform?.includes('stopGrace') ? '' : '    stopGrace: 5s'}
${options.platform ?? ''}
load:
  users: ${options.users ?? 2}${options.noProbe ? '\n  probe: false' : ''}
timeline: ${options.timeline ?? '{ warmup: 700ms, cooldown: 500ms }'}
variants:
  - name: ${options.strategy}
    strategy: ${options.strategy}
`;
  return {
    scenario: parseScenario(text, 'test.yaml', {}),
    gates: [],
    file: 'test.yaml',
    dir: REPO,
    env: process.env,
  };
}
