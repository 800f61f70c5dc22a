import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';

const fixture = (name: string) => path.join('test/fixtures/scenarios', name);

async function problemsOf(name: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await loadScenarioFile(fixture(name), env);
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error(`${name} loaded without a problem`);
}

describe('loading a scenario file', () => {
  it('fills in the defaults of a minimal file', async () => {
    const { scenario } = await loadScenarioFile(fixture('valid-minimal.yaml'), {});
    expect(scenario.target).toEqual({ url: 'http://127.0.0.1:8080/' });
    expect(scenario.load).toMatchObject({
      model: 'closed',
      users: 2,
      timeout: 60_000,
      thinkTime: 0,
    });
    expect(scenario.load.request).toEqual({ method: 'GET', path: '/', headers: {} });
    expect(scenario.timeline).toEqual({
      settle: 1000,
      warmup: 3000,
      cooldown: 3000,
      deployTimeout: 600_000,
      hookTimeout: 600_000,
      betweenTrials: 0,
    });
    expect(scenario.trials).toBe(1);
    expect(scenario.analysis).toEqual({ interval: 1000 });
  });

  it('reads durations in ms, s, m and h', () => {
    const text = (warmup: string) =>
      `name: d\ntarget: { url: "http://127.0.0.1:1/" }\nload: { users: 1 }\ntimeline: { warmup: ${warmup} }\nvariants: [{ name: a, command: x }]\n`;
    const warmup = (w: string) => parseScenario(text(w), 'd.yaml', {}).timeline.warmup;
    expect(warmup('500ms')).toBe(500);
    expect(warmup('1.5s')).toBe(1500);
    expect(warmup('2m')).toBe(120_000);
    expect(warmup('1h')).toBe(3_600_000);
  });

  it('reads an open model with its rate', () => {
    const text = (load: string) =>
      `name: o\ntarget: { url: "http://127.0.0.1:1/" }\nload: ${load}\nvariants: [{ name: a, command: x }]\n`;
    expect(parseScenario(text('{ model: open, rate: 50/s }'), 'o.yaml', {}).load).toMatchObject({
      model: 'open',
      rate: 50,
      arrival: 'uniform',
      maxInFlight: 1000,
    });
    expect(
      parseScenario(text('{ model: open, rate: 600/m, arrival: poisson }'), 'o.yaml', {}).load,
    ).toMatchObject({ rate: 10 });
    const problems = (load: string) => {
      try {
        parseScenario(text(load), 'o.yaml', {});
      } catch (error) {
        return (error as ScenarioError).problems.map(formatProblem);
      }
      return [];
    };
    expect(problems('{ model: open, rate: fast }')).toEqual([
      'o.yaml:3:28: load.rate: expected a rate such as 50/s or 600/m (from 0.001/s to 100000/s), got "fast"',
    ]);
    expect(problems('{ model: open, users: 4, rate: 5/s }')).toEqual([
      expect.stringMatching(/^o\.yaml:3:22: load\.users: unknown key "users"; expected one of /),
    ]);
    expect(problems('{ model: burst }')).toEqual([
      'o.yaml:3:16: load.model: expected model "closed" (with users) or "open" (with rate)',
    ]);
  });

  it('interpolates environment variables, with defaults, and reads numbers as numbers', async () => {
    const { scenario } = await loadScenarioFile(fixture('env.yaml'), {
      TARGET_URL: 'http://127.0.0.1:9999/health',
      USERS: '7',
    });
    expect(scenario.name).toBe('env default');
    expect(scenario.target).toEqual({ url: 'http://127.0.0.1:9999/health' });
    expect(scenario.load).toMatchObject({ model: 'closed', users: 7, thinkTime: 250 });
  });

  it('names a missing environment variable with its line', async () => {
    expect(await problemsOf('env.yaml')).toEqual([
      'test/fixtures/scenarios/env.yaml:3:8: environment variable TARGET_URL is not set (write ${TARGET_URL:-default} for a default)',
    ]);
  });

  it('reports a YAML syntax error once, with its position', async () => {
    const problems = await problemsOf('bad-syntax.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^test\/fixtures\/scenarios\/bad-syntax\.yaml:4:\d+: YAML syntax: /,
    );
  });

  it('reports every wrong type with file, line, column and field', async () => {
    expect(await problemsOf('bad-types.yaml')).toEqual([
      'test/fixtures/scenarios/bad-types.yaml:6:16: target.platform.processes: expected a number, got "two"',
      'test/fixtures/scenarios/bad-types.yaml:8:10: load.users: expected a number >= 1',
      'test/fixtures/scenarios/bad-types.yaml:9:12: load.timeout: expected a duration such as 500ms, 5s, 2m or 1h, got "5 seconds"',
      'test/fixtures/scenarios/bad-types.yaml:12:15: variants[0].strategy: expected one of stop-start, preboot, rolling',
    ]);
  });

  it('points at an unknown key', async () => {
    const [problem, ...more] = await problemsOf('bad-unknown-key.yaml');
    expect(more).toEqual([]);
    expect(problem).toMatch(
      /^test\/fixtures\/scenarios\/bad-unknown-key\.yaml:6:3: load\.concurency: unknown key "concurency"; expected one of users, thinkTime, /,
    );
  });

  it('says which required fields are missing', async () => {
    expect(await problemsOf('bad-missing.yaml')).toEqual([
      'test/fixtures/scenarios/bad-missing.yaml:1:1: name: missing (expected text)',
      'test/fixtures/scenarios/bad-missing.yaml:1:1: load: missing (expected model "closed" (with users) or "open" (with rate))',
      'test/fixtures/scenarios/bad-missing.yaml:3:11: variants: expected at least one variant',
    ]);
  });

  it('checks variants against the target and each other', async () => {
    expect(await problemsOf('bad-variant.yaml')).toEqual([
      'test/fixtures/scenarios/bad-variant.yaml:8:15: variants[0].strategy: expected `command`: an external `url` target is deployed by a shell command',
      'test/fixtures/scenarios/bad-variant.yaml:9:11: variants[1].name: expected a unique name, "a" is used twice',
    ]);
  });

  it('reads gates once the variants are known, and locates a bad one in its line', async () => {
    expect(await problemsOf('bad-gate.yaml')).toEqual([
      `test/fixtures/scenarios/bad-gate.yaml:13:6: gates[1]: unknown variant "canary"; the scenario's variants are "stop-start", "preboot" (or * for each)`,
      'test/fixtures/scenarios/bad-gate.yaml:14:22: gates[2]: errors is compared with a whole number such as 0, not "1s"',
    ]);
    const { gates } = await loadScenarioFile(fixture('valid-minimal.yaml'), {});
    expect(gates).toEqual([]);
  });

  it('says when the file does not exist', async () => {
    expect(await problemsOf('no-such-file.yaml')).toEqual([
      'test/fixtures/scenarios/no-such-file.yaml: cannot read the scenario: no such file',
    ]);
  });

  it('loads every scenario shipped in scenarios/', async () => {
    const env = {
      HEROKU_APP: 'demo',
      TARGET_URL: 'http://127.0.0.1:1/',
      K8S_DEPLOYMENT: 'web',
      NGINX_PORT: '8080',
    };
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const { scenario } = await loadScenarioFile(path.join('scenarios', file), env);
      expect(scenario.variants.length, file).toBeGreaterThanOrEqual(2);
    }
    for (const file of ['scenarios/preboot.yaml', 'scenarios/heroku-2012.yaml']) {
      const { scenario } = await loadScenarioFile(file, {});
      expect(scenario.variants.map((v) => v.name)).toEqual(['stop-start', 'preboot']);
    }
  });
});
