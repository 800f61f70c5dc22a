import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputLog } from '../../src/deploy/bounded-log.ts';
import { runShell } from '../../src/deploy/shell.ts';
import { EmbeddedPlatform } from '../../src/platform/platform.ts';
import { formatProblem, ScenarioError } from '../../src/scenario/errors.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { REPO } from '../helpers/scenarios.ts';

const scenarioWith = (fields: { url?: string; command?: string; app?: string }) =>
  fields.app
    ? `name: x
target: { platform: { app: { command: ${JSON.stringify(fields.app)}, env: { GREETING: hi } } } }
load: { users: 1 }
variants: [{ name: a, strategy: preboot }]
`
    : `name: x
target: { url: ${JSON.stringify(fields.url ?? 'http://127.0.0.1:9/')} }
load: { users: 1 }
variants: [{ name: a, command: ${JSON.stringify(fields.command ?? 'true')} }]
`;

function problems(text: string, env: NodeJS.ProcessEnv): string[] {
  try {
    parseScenario(text, 's.yaml', env);
    return [];
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.problems.map(formatProblem);
  }
}

describe('variables in shell commands are the shell’s to expand', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-variables-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a hostile value as one word, never as shell text', async () => {
    const marker = path.join(dir, 'injected');
    const env = { ...process.env, DEPLOY_BENCH_BRANCH: `main; touch ${marker}` };
    const scenario = parseScenario(
      scenarioWith({ command: 'echo "pushing $DEPLOY_BENCH_BRANCH"' }),
      's.yaml',
      env,
    );
    const command = scenario.variants[0]?.command as string;
    // The scenario keeps the reference: the value is not pasted in (nor written to results.json).
    expect(command).toBe('echo "pushing $DEPLOY_BENCH_BRANCH"');
    const log = new OutputLog();
    const exit = await runShell({
      command,
      cwd: dir,
      env,
      now: () => 0,
      log,
      signal: new AbortController().signal,
    });
    expect(exit.exitCode).toBe(0);
    expect(log.lines().map((l) => l.line)).toEqual([`pushing main; touch ${marker}`]);
    expect(existsSync(marker), 'the value ran as a command').toBe(false);
  });

  it('lets a command use its own variables, which the environment need not have', () => {
    expect(
      problems(
        scenarioWith({ command: 'for i in 1 2; do echo "${i}" $i; done; n=3; echo $n' }),
        {},
      ),
    ).toEqual([]);
    expect(
      problems(scenarioWith({ command: "read -r line; echo '$NOT_EXPANDED' ${#line}" }), {}),
    ).toEqual([]);
  });

  // Each command, and the variable it needs from the environment (undefined: none).
  const READINGS: [command: string, needs: string | undefined][] = [
    [`echo "deploying, don't panic"; git push heroku "$BRANCH":main`, 'BRANCH'],
    ['# don\'t run twice\ngit push "$BRANCH"', 'BRANCH'],
    ['git push "$BRANCH" # the branch\'s name', 'BRANCH'],
    ['[ -n "$SLACK_WEBHOOK" ] || exit 0', undefined],
    ['if [ -z "${X}" ]; then echo none; fi', undefined],
    ["cat <<'EOF'\nliteral $NOPE\nEOF\necho done", undefined],
    ['cat <<EOF\nexpanded $NEEDED\nEOF', 'NEEDED'],
    ['local x; x=1; echo $x', undefined],
    ['getopts "a:" OPT; echo $OPT', undefined],
    ['declare -A M; M[k]=1; echo ${M[k]}', undefined],
    ['awk \'{print $1}\' f; echo $((1+2)) $$ $? "$@"', undefined],
    ['echo \\$ESCAPED "\\$ALSO"', undefined],
    ['echo ${X:?must be set}', 'X'],
    ['export A=1; echo $A', undefined],
    ['echo "${HOST:-localhost}" ${PORT-80} ${#TAG}', 'TAG'],
    ['kubectl rollout restart deployment/web -n "$NAMESPACE"', 'NAMESPACE'],
    ['head -n $LINES_WANTED file', 'LINES_WANTED'],
    ['cat <<\'E\' | kubectl apply -f - --context "$CTX"\nliteral $NOPE\nE', 'CTX'],
    ['echo ${UNSET_Y:-$FALLBACK}', 'FALLBACK'],
    ['echo ${UNSET_Y:+$ONLY_IF_SET}', undefined],
    ['echo X=1; echo $X', 'X'],
    ['echo a\\ #b $X', 'X'],
  ];

  for (const [command, needed] of READINGS) {
    it(`reads ${JSON.stringify(command)} as needing ${needed ?? 'nothing'}`, () => {
      const found = problems(scenarioWith({ command }), {});
      expect(found.map((p) => /variable (\w+) is not set/.exec(p)?.[1])).toEqual(
        needed ? [needed] : [],
      );
    });
  }

  it('reports a variable the command needs from the environment, once per command', () => {
    expect(problems(scenarioWith({ command: 'git push "$BRANCH" && echo ${BRANCH}' }), {})).toEqual(
      [
        's.yaml:4:32: environment variable BRANCH is not set (write ${BRANCH:-default} for a default)',
      ],
    );
    expect(problems(scenarioWith({ command: 'git push "${BRANCH:-main}"' }), {})).toEqual([]);
  });

  it('knows the app is started with PORT, RELEASE and its own env set', () => {
    expect(
      problems(scenarioWith({ app: 'node app.js --port $PORT --name $RELEASE $GREETING' }), {}),
    ).toEqual([]);
    expect(problems(scenarioWith({ app: 'node app.js $SECRET' }), {})).toHaveLength(1);
  });

  it("knows a variant's env is set for its own commands, and for the app where every variant sets it", () => {
    const scenario = (app: string) => `name: x
target: { platform: { app: { command: ${JSON.stringify(app)} } } }
load: { users: 1 }
variants:
  - name: a
    strategy: preboot
    env: { ON_SIGTERM: exit, ONLY_A: "1" }
    hooks: { beforeVariant: echo "$ON_SIGTERM $ONLY_A" }
  - name: b
    strategy: preboot
    env: { ON_SIGTERM: drain }
    hooks: { beforeVariant: echo "$ONLY_A" }
`;
    expect(problems(scenario('node app.js $ON_SIGTERM'), {})).toEqual([
      's.yaml:12:29: environment variable ONLY_A is not set (write ${ONLY_A:-default} for a default)',
    ]);
    expect(problems(scenario('node app.js $ONLY_A'), {})).toHaveLength(2);
  });

  it('reports an unclosed or empty ${ in a command', () => {
    expect(problems(scenarioWith({ command: 'echo ${BRANCH' }), {})[0]).toContain('no closing }');
    expect(problems(scenarioWith({ command: 'echo ${}' }), {})[0]).toContain(
      '"${}": expected a variable name inside ${…}',
    );
    expect(problems(scenarioWith({ command: 'echo ${x y}' }), {})[0]).toContain(
      '"${x y}": expected a variable name inside ${…}',
    );
  });
});

describe('anchors and aliases', () => {
  it('may share a command that has no $ in it, but not carry substituted text into one', () => {
    const shared = `name: x
target: { url: "http://127.0.0.1:9/" }
load: { users: 1 }
variants:
  - { name: a, command: "true", hooks: &h { beforeTrial: "echo warming" } }
  - { name: b, command: "true", hooks: *h }
`;
    expect(problems(shared, {})).toEqual([]);
    const carried = `name: x
description: &d "echo \${BRANCH}"
target: { url: "http://127.0.0.1:9/" }
load: { users: 1 }
variants: [{ name: a, command: *d }]
`;
    expect(problems(carried, { BRANCH: 'main; touch x' })).toEqual([
      "s.yaml:5:32: the alias *d brings text with $ into a shell command; write the command out here (an anchor's ${…} is substituted where it is set)",
    ]);
  });
});

describe('variables in other values are substituted', () => {
  it('reads a default, itself with a variable', () => {
    const text = scenarioWith({ url: 'http://${HOST:-${FALLBACK}}:9/' });
    expect(problems(text, {})).toEqual([
      's.yaml:2:16: environment variable FALLBACK is not set (write ${FALLBACK:-default} for a default)',
    ]);
    const scenario = parseScenario(text, 's.yaml', { FALLBACK: '127.0.0.2' });
    expect(scenario.target).toEqual({ url: 'http://127.0.0.2:9/' });
  });

  it('keeps $${ as a literal ${', () => {
    const scenario = parseScenario(
      scenarioWith({ url: 'http://127.0.0.1:9/?template=$${name}&x=${X:-1}' }),
      's.yaml',
      {},
    );
    expect(scenario.target).toEqual({ url: 'http://127.0.0.1:9/?template=${name}&x=1' });
  });

  it('reports a malformed reference, and does not read a prototype’s property as a variable', () => {
    expect(problems(scenarioWith({ url: 'http://${HOST:9/' }), {})[0]).toContain(
      'expected } or :-default after ${HOST',
    );
    expect(problems(scenarioWith({ url: 'http://${constructor}:9/' }), {})[0]).toContain(
      'environment variable constructor is not set',
    );
  });
});

describe('a list app.command', () => {
  it("gets each process's own PORT and RELEASE, filled in at its start", async () => {
    const server =
      "require('http').createServer((q, s) => s.end(process.argv[1] + ' ' + process.argv[2])).listen(Number(process.argv[1]), '127.0.0.1')";
    const text = `name: x
target:
  platform:
    app: { command: [node, -e, ${JSON.stringify(server)}, "\${PORT}", "\${RELEASE}"] }
load: { users: 1 }
variants: [{ name: a, strategy: preboot }]
`;
    // Read without PORT in the environment: it is the platform's to set.
    const scenario = parseScenario(text, 's.yaml', {});
    if (!('platform' in scenario.target)) throw new Error('an embedded target');
    expect(scenario.target.platform.app.command).toEqual([
      'node',
      '-e',
      server,
      '${PORT}',
      '${RELEASE}',
    ]);
    const platform = await EmbeddedPlatform.start(scenario.target.platform, REPO);
    try {
      const answer = await fetch(platform.url).then((r) => r.text());
      const [port, release] = answer.split(' ');
      expect(Number(port)).toBeGreaterThan(0);
      expect(Number(port)).not.toBe(platform.port);
      expect(release).toBe('v1');
    } finally {
      await platform.stop();
    }
  });
});
