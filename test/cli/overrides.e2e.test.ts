import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchInProcess } from '../helpers/cli.ts';
import { BENCH } from '../helpers/scenarios.ts';
import { type CountingServer, startCountingServer } from '../helpers/servers.ts';

let server: CountingServer;
let dir: string;
let scenario: string;
beforeAll(async () => {
  server = await startCountingServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-overrides-'));
  scenario = path.join(dir, 'quick.yaml');
  writeFileSync(
    scenario,
    `name: quick knobs
target: { url: "${server.origin}/" }
load: { users: 1 }
timeline: { settle: 0s, warmup: 10s, cooldown: 10s }
variants: [{ name: noop, command: "true" }]
`,
  );
});
afterAll(() => server.close());

describe('bench run --set and its shorthands', () => {
  it('changes the scenario for one run, and every report says so', async () => {
    const out = path.join(dir, 'closed');
    const run = await benchInProcess([
      'run',
      scenario,
      '--out',
      out,
      '--export',
      'json,md,html',
      '--users',
      '3',
      '--warmup',
      '200ms',
      '--set',
      'timeline.cooldown=200ms',
      '--set',
      'load.keepAlive=false',
      '--trials',
      '1',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.scenario.load).toMatchObject({ model: 'closed', users: 3, keepAlive: false });
    expect(results.scenario.timeline).toMatchObject({ warmup: 200, cooldown: 200 });
    expect(results.overrides).toEqual([
      '--users 3',
      '--warmup 200ms',
      'timeline.cooldown=200ms',
      'load.keepAlive=false',
      '--trials 1',
    ]);
    const trial = results.variants[0].trials[0];
    // A run of 10 s + 10 s would have taken far longer, and sent far more, than one of 0.2 s + 0.2 s.
    expect(trial.elapsedMs).toBeLessThan(10_000);
    expect(trial.connections).toBe(trial.requests);
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain(
      '(--users 3, --warmup 200ms',
    );
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toContain(
      '<span id="overrides">overrides: --users 3',
    );
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(
      /\| connections opened \| \d+ \|/,
    );
  });

  it('turns a closed load open with --rate', async () => {
    const out = path.join(dir, 'open');
    const run = await benchInProcess([
      'run',
      scenario,
      '--out',
      out,
      '--export',
      'json',
      '--rate',
      '50/s',
      '--warmup',
      '200ms',
      '--cooldown',
      '200ms',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.scenario.load).toMatchObject({ model: 'open', rate: 50 });
    expect(results.scenario.load.users).toBeUndefined();
  });

  it('checks a changed field as the file is checked, and says it came from the command line', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--set', 'load.users=many'],
        /^--set load\.users=many: load\.users: expected a number, got "many"/m,
      ],
      [
        ['--set', 'load.userz=3'],
        /^--set load\.userz=3: load\.userz: is not a field of the scenario/m,
      ],
      [
        ['--set', 'timeline.warmup=soon'],
        /^--set timeline\.warmup=soon: timeline\.warmup: expected a duration/m,
      ],
      [['--set', 'nonsense'], /--set nonsense: expected path=value/],
      [['--users', '0'], /^--users 0: load\.users: /m],
      [['--users', '2', '--rate', '5/s'], /--users and --rate: expected one/],
      [['--users', 'many'], /^bench: --users: expected a whole number of users/m],
      [['--serve', 'here'], /^bench: --serve here: expected \[HOST:\]PORT, e\.g\. 9464/m],
      [['--serve', '70000'], /^bench: --serve 70000: expected \[HOST:\]PORT/m],
      [['--serve-after'], /^bench: --serve-after goes with --serve/m],
      [['--history-min-runs', '3'], /^bench: --history-min-runs goes with --history/m],
      [
        ['--history', path.join(dir, 'h'), '--history-min-runs', '0'],
        /^bench: --history-min-runs: expected a whole number from 1 to 100/m,
      ],
      // A history that is a file: refused before anything is sent.
      [['--history', scenario], /^bench: --history .*quick\.yaml: not a folder$/m],
      [
        ['--gate', 'noop.user-wait <= max(history)'],
        /^bench: gate 'noop\.user-wait <= max\(history\)' reads past runs: add --history DIR$/m,
      ],
      [
        ['--gate', 'noop.user-wait <= p95(history) + 1'],
        /^bench: --gate .*: column \d+: expected a duration such as 1s after "\+"/m,
      ],
      // A key the change itself made up is the change's problem, not the file's.
      [['--set', 'nope.x=1'], /^--set nope\.x=1: nope: is not a field of the scenario/m],
      [
        ['--set', 'load.endpoints[3].weight=2'],
        /^--set load\.endpoints\[3\]\.weight=2: load\.endpoints: has 0 items; expected an index up to 0/m,
      ],
      [
        ['--set', 'load.request.headers.x-api-key=[1, 2]'],
        /^--set load\.request\.headers\.x-api-key=\[1, 2\]: load\.request\.headers\.x-api-key: expected/m,
      ],
    ];
    for (const [args, message] of cases) {
      // The file after the options: each --set takes one value, and leaves the file alone.
      const run = await benchInProcess([
        'run',
        '--out',
        path.join(dir, 'never'),
        ...args,
        scenario,
      ]);
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
      // One line, and a usage error's hint at most: never a stack.
      expect(run.stderr.trim().split('\n').length, run.stderr).toBeLessThanOrEqual(2);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(server.answered()).toBeGreaterThan(0);
  });

  it('tells a problem inside an item a --set added as the --set’s, not at a line of the file', async () => {
    const file = path.join(dir, 'one-endpoint.yaml');
    writeFileSync(
      file,
      `name: one endpoint
target: { url: "${server.origin}/" }
load:
  users: 1
  endpoints:
    - { name: home, path: / }
variants: [{ name: a, command: "true" }]
`,
    );
    const run = await benchInProcess([
      'run',
      '--out',
      path.join(dir, 'never-2'),
      '--set',
      'load.endpoints[1].weight=2',
      file,
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe(
      '--set load.endpoints[1].weight=2: load.endpoints[1].name: missing (expected text)',
    );
  });

  it('tells a value with an unknown YAML tag in one line, without a Node warning block', async () => {
    // A real process: Node prints its warnings to the process's own stderr.
    const run = await execa(
      'node',
      [
        BENCH,
        'run',
        '--set',
        'load.users=!!js/function x',
        '--out',
        path.join(dir, 'no'),
        scenario,
      ],
      { reject: false },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe(
      '--set load.users=!!js/function x: load.users: expected a number, got "x"',
    );
  });
});
