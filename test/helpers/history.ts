import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../src/analysis/analyse.ts';
import { HistoryFolder } from '../../src/history/folder.ts';
import { type RunConditions, recordOf } from '../../src/history/record.ts';
import { SAMPLE_APP } from './scenarios.ts';
import { syntheticReport } from './synthetic-report.ts';

/**
 * A scenario file in `dir`: a stop-start deploy of the sample app booting in `bootMs`, under
 * TEST_CONDITIONS (users wait at least the boot).
 */
export function writeStopStartScenario(dir: string, name: string, bootMs: number): string {
  const file = path.join(dir, 'deploy.yaml');
  writeFileSync(
    file,
    `name: ${name}
target:
  platform:
    app:
      command: [node, ${JSON.stringify(SAMPLE_APP)}]
      env: { BOOT_MS: "${bootMs}", WORK_MS: "2" }
    stopGrace: 5s
load: { users: 2 }
timeline: { warmup: 700ms, cooldown: 500ms }
variants:
  - { name: stop-start, strategy: stop-start }
`,
  );
  return file;
}

/** A deterministic stream of numbers in [0, 1): the same history on every machine. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** How the e2e tests' scenarios run: 2 closed-model users on kept-alive connections, 1 trial. */
export const TEST_CONDITIONS: RunConditions = {
  model: 'closed',
  load: 2,
  keepAlive: true,
  endpoints: 1,
  trials: 1,
  watch: false,
};

/**
 * Past runs of `scenario` written into `dir` as bench run --history writes them: each a synthetic
 * run (recorded samples, analysed) whose stop-start outage is drawn from `outageMs`, a day apart,
 * each from its own commit; now and then a refused request, as real runs have.
 */
export async function writeSyntheticHistory(
  dir: string,
  options: {
    scenario: string;
    runs: number;
    outageMs: () => number;
    seed?: number;
    conditions?: RunConditions;
  },
): Promise<number[]> {
  const random = seeded(options.seed ?? 7);
  const folder = await HistoryFolder.open(dir);
  const outages: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const outage = Math.round(options.outageMs());
    outages.push(outage);
    const results = syntheticReport({
      stopStart: [[outage, random() < 0.2 ? 1 : 0]],
      preboot: [[80 + Math.round(40 * random()), 0]],
    });
    const startedAt = new Date(Date.UTC(2026, 0, 1 + i, 12)).toISOString();
    const run = analyse({
      ...results,
      startedAt,
      scenario: { ...results.scenario, name: options.scenario },
    });
    const commit = (0x1000000 + i * 7919).toString(16).padStart(7, '0');
    await folder.add(
      recordOf(run, {
        conditions: options.conditions ?? TEST_CONDITIONS,
        histograms: true,
        source: { commit, branch: 'main' },
      }),
    );
  }
  return outages;
}
