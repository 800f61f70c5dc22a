import { Recorder } from '../../src/record/recorder.ts';
import type { RunResults, TrialResult } from '../../src/results/run.ts';
import type { Sample } from '../../src/results/sample.ts';
import { parseScenario } from '../../src/scenario/load.ts';

/**
 * A run made of deterministic samples: 2 users at a steady 10 ms, then a deploy that either holds
 * everybody for `outageMs` (stop-start) or only slows the first requests (preboot).
 */
function trial(n: number, outageMs: number, failures: number): TrialResult {
  const recorder = new Recorder({ intervalMs: 500 });
  const sample = (
    user: number,
    t: number,
    latencyMs: number,
    status = 200,
    release = 'v1',
  ): Sample => ({
    user,
    t,
    latencyMs,
    status,
    bytes: 32,
    ...(status === 0 ? { error: 'refused' as const } : { release }),
  });
  let t = 0;
  for (; t < 2000; t += 10)
    for (const user of [0, 1]) recorder.record(sample(user, t, 9 + user + (t % 7)));
  recorder.event({ t, phase: 'triggered', detail: 'synthetic' });
  recorder.event({ t: t + 1, phase: 'booting', detail: 'web.1@v2' });
  for (let i = 0; i < failures; i++) recorder.record(sample(0, t + i * 80, 1, 0));
  recorder.record(sample(1, t, outageMs, 200, 'v2'));
  recorder.record(sample(0, t + failures * 80, outageMs - failures * 80, 200, 'v2'));
  recorder.event({ t: t + outageMs, phase: 'up', detail: 'web.1@v2' });
  recorder.event({ t: t + outageMs, phase: 'switched', detail: 'traffic to v2' });
  recorder.event({ t: t + outageMs + 1, phase: 'completed' });
  for (t += outageMs; t < 2000 + outageMs + 1500; t += 10) {
    for (const user of [0, 1]) recorder.record(sample(user, t, 9 + user + (t % 5), 200, 'v2'));
  }
  return {
    trial: n,
    status: 'completed',
    startedAt: '2026-01-02T03:04:05.000Z',
    recording: recorder.finish(t),
    deployLog: [],
  };
}

/** Per variant, each trial's [outage in ms, refused requests]. */
export interface SyntheticTrials {
  stopStart: [number, number][];
  preboot: [number, number][];
}

const GOLDEN_TRIALS: SyntheticTrials = {
  stopStart: [
    [4000, 3],
    [4400, 5],
  ],
  preboot: [
    [120, 0],
    [90, 0],
  ],
};

export function syntheticReport(trials: SyntheticTrials = GOLDEN_TRIALS): RunResults {
  const scenario = parseScenario(
    `name: synthetic | <b>golden</b>
target: { url: "http://127.0.0.1:1/" }
load: { users: 2 }
variants:
  - { name: stop-start, command: "true" }
  - { name: preboot, command: "true" }
trials: 2
`,
    'golden.yaml',
    {},
  );
  return {
    tool: { name: 'deploy-bench', version: '0.0.0-test' },
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:05:05.000Z',
    machine: { hostname: 'golden-host', platform: 'linux x64', cpus: 2, node: 'v20.0.0' },
    scenarioFile: 'golden.yaml',
    scenario,
    interrupted: false,
    variants: [
      {
        name: 'stop-start',
        command: 'true',
        hookLog: [],
        trials: trials.stopStart.map(([ms, failed], i) => trial(i + 1, ms, failed)),
      },
      {
        name: 'preboot',
        command: 'true',
        hookLog: [],
        trials: trials.preboot.map(([ms, failed], i) => trial(i + 1, ms, failed)),
      },
    ],
  };
}
