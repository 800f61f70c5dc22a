import {
  type Environment,
  type LoadedScenario,
  loadScenarioFile,
  loadScenarioText,
} from '../scenario/load.ts';
import { type ScenarioOverride, shorthandOverrides } from '../scenario/overrides.ts';
import type { Variant } from '../scenario/schema.ts';

/** The one variant of a watch: a deploy somebody else did. */
export const WATCHED: Variant = {
  name: 'watched',
  description: 'deployed by somebody else; its window was detected from the traffic',
};

/** What `bench watch` takes from its command line. */
export interface WatchSettings {
  /** The target; with a scenario, it replaces the scenario's `target.url`. */
  url?: string;
  /** A scenario file to take the target and the load from. */
  scenario?: string;
  users?: number;
  rate?: string;
  releaseHeader?: string;
  instanceHeader?: string;
  /** Statuses a response must have, e.g. "2xx" or "200,304". */
  expectStatus?: string;
  /** How long the unrecorded load that sets the baseline lasts (`timeline.settle`). */
  baseline?: string;
  interval?: string;
  slowThreshold?: string;
}

/** Without a scenario: one user (as `siege -c1`), and a 3 s baseline. */
const WITHOUT_SCENARIO = `name: watch
load:
  users: 1
timeline:
  settle: 3s
`;

/**
 * The scenario a watch runs: its command line's settings on a scenario file, or on a one-user load
 * of the URL alone — validated as a file is, each problem told as the flag that caused it. Its one
 * variant is WATCHED; the file's own variants and gates (which name them) are dropped.
 */
export async function loadWatchScenario(
  settings: WatchSettings,
  env: Environment,
): Promise<LoadedScenario> {
  const overrides = watchOverrides(settings);
  const loaded = settings.scenario
    ? await loadScenarioFile(settings.scenario, env, overrides)
    : await loadScenarioText(WITHOUT_SCENARIO, 'bench watch', process.cwd(), env, overrides);
  return {
    ...loaded,
    // One trial: a watch measures the one deploy somebody else does.
    scenario: { ...loaded.scenario, trials: 1, variants: [WATCHED], gates: [] },
    gates: [],
  };
}

function watchOverrides(settings: WatchSettings): ScenarioOverride[] {
  // A scenario's variants and gates are bench run's: replaced before they are read, so that their
  // commands' variables (HEROKU_APP) need not be set, and a file may have none.
  const overrides: ScenarioOverride[] = [
    {
      source: 'bench watch',
      path: ['variants'],
      value: [{ name: WATCHED.name, command: ':' }],
      internal: true,
    },
    { source: 'bench watch', path: ['gates'], value: [], internal: true },
  ];
  const set = (source: string, path: (string | number)[], value: unknown) =>
    overrides.push({ source, path, value });
  const { url } = settings;
  if (url !== undefined) {
    const source = `bench watch ${url}`;
    set(source, ['target', 'url'], url);
    if (!settings.scenario) {
      // The URL's path is what every request asks for; the name says what was watched.
      const parsed = URL.canParse(url) ? new URL(url) : undefined;
      if (parsed) {
        set(source, ['name'], `watch ${parsed.host}`);
        set(source, ['load', 'request', 'path'], `${parsed.pathname}${parsed.search}`);
      }
    }
  }
  overrides.push(...shorthandOverrides(settings));
  if (settings.releaseHeader !== undefined)
    set(
      `--release-header ${settings.releaseHeader}`,
      ['load', 'releaseHeader'],
      settings.releaseHeader,
    );
  if (settings.instanceHeader !== undefined)
    set(
      `--instance-header ${settings.instanceHeader}`,
      ['load', 'instanceHeader'],
      settings.instanceHeader,
    );
  if (settings.expectStatus !== undefined) {
    const statuses = settings.expectStatus
      .split(',')
      .map((status) => status.trim())
      .filter(Boolean)
      .map((status) => (/^\d+$/.test(status) ? Number(status) : status));
    const source = `--expect-status ${settings.expectStatus}`;
    set(source, ['load', 'request', 'expect', 'status'], statuses);
  }
  if (settings.baseline !== undefined)
    set(`--baseline ${settings.baseline}`, ['timeline', 'settle'], settings.baseline);
  if (settings.interval !== undefined)
    set(`--interval ${settings.interval}`, ['analysis', 'interval'], settings.interval);
  if (settings.slowThreshold !== undefined)
    set(
      `--slow-threshold ${settings.slowThreshold}`,
      ['analysis', 'slowThreshold'],
      settings.slowThreshold,
    );
  return overrides;
}
