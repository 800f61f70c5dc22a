import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type Options } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortBlock } from '../../bench/recipes-run.ts';
import { REPO } from '../helpers/scenarios.ts';

/**
 * The package as npm users get it: packed, installed from the tarball into a fresh project that
 * `npm init -y` made (CommonJS by default), and used there through `npx bench`, `import`,
 * `require()` and TypeScript. The global setup has just built dist/ from the sources under test.
 */

const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  version: string;
};
const installedVersion = (name: string) =>
  (
    JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

let work: string;
let project: string;
let packed: string[];
let installOutput: string;

/** A command in the fresh project, as its user would type it: its exit code and its output. */
async function inProject(command: string, args: string[], options: Options = {}) {
  const result = await execa(command, args, { cwd: project, reject: false, all: true, ...options });
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    all: String(result.all),
  };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'bench-pack-'));
  project = path.join(work, 'project');
  // dist/ is fresh from the global setup: packing need not build it again.
  const pack = await execa(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
    { cwd: REPO },
  );
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  packed = info.files.map((file) => file.path).sort();

  mkdirSync(project);
  await inProject('npm', ['init', '-y'], { reject: true });
  // The compiler and Node's types are for the TypeScript check below, the versions this repository
  // uses (already in npm's cache).
  const install = await inProject(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      path.join(work, info.filename),
      `typescript@${installedVersion('typescript')}`,
      `@types/node@${installedVersion('@types/node')}`,
    ],
    { reject: true },
  );
  installOutput = install.all;
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds what a user needs and nothing else', () => {
    const allowed = [
      /^package\.json$/,
      /^README\.md$/,
      /^CHANGELOG\.md$/,
      /^LICENSE$/,
      /^bin\/bench\.js$/,
      /^cjs\/index\.cjs$/,
      /^dist\/.+\.(js|d\.ts|js\.map)$/,
      /^schema\/scenario\.schema\.json$/,
      /^examples\/.+/,
      /^scenarios\/.+\.(yaml|json)$/,
      /^docs\/.+\.(md|png)$/,
    ];
    expect(packed.filter((file) => !allowed.some((pattern) => pattern.test(file)))).toEqual([]);
    for (const needed of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/measured-load/generator-thread.js',
      'examples/app/server.mjs',
      'scenarios/preboot.yaml',
      'docs/scenarios.md',
    ]) {
      expect(packed).toContain(needed);
    }
  });

  it('installs without a warning the package could avoid', () => {
    const warnings = installOutput.split('\n').filter((line) => line.startsWith('npm warn'));
    // npm lists the `prepare` script of a package installed from a file, although it never runs
    // it for a tarball; from the registry it is not listed (arborist's install-scripts.js). Any
    // other package with an install script, or any other warning, is ours to avoid.
    const scripts = warnings.filter((line) => /^npm warn install-scripts +\S+@\S+ \(/.test(line));
    expect(scripts).toEqual([
      expect.stringMatching(/^npm warn install-scripts +deploy-bench@[\d.]+ \(prepare: [^)]*\)$/),
    ]);
    expect(warnings.filter((line) => !line.startsWith('npm warn install-scripts'))).toEqual([]);
  });
});

describe('used from a fresh npm project', () => {
  it('npx bench --version, and under the package’s own name', async () => {
    for (const name of ['bench', 'deploy-bench']) {
      const result = await inProject('npx', [name, '--version']);
      expect(result.all).toBe(manifest.version);
      expect(result.exitCode).toBe(0);
    }
  });

  it('bench init --recipe pm2, then npx bench run of it with pm2 installed: restart fails requests, reload none', async () => {
    const pm2 = await inProject('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      `pm2@${installedVersion('pm2')}`,
    ]);
    expect(pm2.exitCode, pm2.all).toBe(0);
    const init = await inProject('npx', ['bench', 'init', '--recipe', 'pm2', '--out', 'x/']);
    expect(init.exitCode, init.all).toBe(0);
    expect(init.stderr).toContain('run it: bench run x/scenario.yaml');
    const run = await inProject('npx', ['bench', 'run', 'x/scenario.yaml', '--out', 'x/report'], {
      env: { RECIPE_PORT: String(await freePortBlock()) },
    });
    expect(run.exitCode, run.all).toBe(0);
    const results = JSON.parse(readFileSync(path.join(project, 'x/report/results.json'), 'utf8'));
    const [restart, reload] = results.variants.map(
      (variant: { trials: { errors: number }[] }) => variant.trials[0],
    );
    expect(restart.errors).toBeGreaterThan(0);
    expect(reload.errors).toBe(0);
  }, 180_000);

  it('npx bench validate on a scenario bench init wrote', async () => {
    const init = await inProject('npx', ['bench', 'init', '--out', 'my-app.yaml']);
    expect(init.exitCode, init.all).toBe(0);
    const validate = await inProject('npx', ['bench', 'validate', 'my-app.yaml']);
    expect(validate.exitCode, validate.all).toBe(0);
  });

  it('npx bench run of the embedded demo: every report but the PNGs, which say what they need', async () => {
    const run = await inProject(
      'npx',
      [
        'bench',
        'run',
        'node_modules/deploy-bench/scenarios/preboot.yaml',
        '--variant',
        'preboot',
        '--out',
        'demo',
      ],
      { env: { BOOT_MS: '300', CI: '1' } },
    );
    expect(run.exitCode, run.all).toBe(0);
    // Installed from the package: the hint for a user's own project.
    expect(run.all).toContain(
      'PNG charts skipped: they need the optional packages canvas and chartjs-node-canvas: npm install -D canvas chartjs-node-canvas',
    );
    const results = JSON.parse(readFileSync(path.join(project, 'demo/results.json'), 'utf8'));
    expect(results.variants[0].trials[0].status).toBe('completed');
    expect(results.variants[0].trials[0].errors).toBe(0);
    expect(readFileSync(path.join(project, 'demo/index.html'), 'utf8')).toContain('<canvas');
  }, 90_000);

  it('a canvas installed without its native build: every report but the PNGs, and how to fix it', async () => {
    const install = await inProject('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      `canvas@${installedVersion('canvas')}`,
      `chartjs-node-canvas@${installedVersion('chartjs-node-canvas')}`,
    ]);
    expect(install.exitCode, install.all).toBe(0);
    const saved = path.join(REPO, 'test/fixtures/golden-run/results.json');
    const report = await inProject('npx', ['bench', 'report', saved, '--out', 'again']);
    expect(report.exitCode, report.all).toBe(0);
    expect(report.stderr).toMatch(
      /^PNG charts skipped: the canvas package is installed but does not load \(.*\): npm rebuild canvas/,
    );
    expect(readdirSync(path.join(project, 'again')).sort()).toEqual([
      'index.html',
      'junit.xml',
      'metrics.txt',
      'preboot.hgrm',
      'results.json',
      'stop-start.hgrm',
      'summary.md',
    ]);
  }, 90_000);

  // The project has no tsx: the threads can only start from the compiled files.
  it('an ES module imports it and runs a scenario, its load on two worker threads', async () => {
    writeFileSync(
      path.join(project, 'tiny.yaml'),
      `name: tiny
target:
  platform:
    app:
      command: [node, node_modules/deploy-bench/examples/app/server.mjs]
      env: { BOOT_MS: 200, WORK_MS: 2 }
load: { users: 2, workers: 2 }
timeline: { warmup: 500ms, cooldown: 500ms }
variants:
  - { name: preboot, strategy: preboot }
`,
    );
    writeFileSync(
      path.join(project, 'run.mjs'),
      `import { runScenario } from 'deploy-bench';
const run = await runScenario('tiny.yaml', { outDir: 'library-out', formats: ['json'] });
const trial = run.variants[0].trials[0];
// Once it returned nothing of the run may hold the process: no timer, socket or child (the pipe
// is this script's stdout). Looked at after one turn of the loop: a child whose exit ended the run
// has its handle closed in that turn's close phase.
setImmediate(() => setImmediate(() => {
  const left = process.getActiveResourcesInfo().filter((kind) => kind !== 'PipeWrap');
  console.log(JSON.stringify({ outcome: run.outcome.kind, requests: trial.metrics.requests, workers: run.results.scenario.load.workers, left }));
}));
`,
    );
    const result = await inProject('node', ['run.mjs']);
    expect(result.exitCode, result.all).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ outcome: 'completed', workers: 2, left: [] });
    expect(summary.requests).toBeGreaterThan(0);
  }, 60_000);

  it('require() gets the same module as import', async () => {
    writeFileSync(
      path.join(project, 'require.cjs'),
      `const bench = require('deploy-bench');
const scenario = bench.parseScenario('name: x\\ntarget: { url: "http://127.0.0.1:1/" }\\nload: { users: 1 }\\nvariants: [{ name: a, command: "true" }]\\n', 'x.yaml', {});
import('deploy-bench').then((esm) => {
  console.log(JSON.stringify({ name: scenario.name, same: esm.ScenarioError === bench.ScenarioError }));
});
`,
    );
    const result = await inProject('node', ['require.cjs']);
    expect(result.exitCode, result.all).toBe(0);
    // Nothing on stderr: no warning about loading an ES module with require().
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ name: 'x', same: true });
  });

  it('type-checks strict NodeNext TypeScript, ES module and CommonJS, against its types', async () => {
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          skipLibCheck: false,
          noEmit: true,
          // What `tsc --init` writes: no Node types unless asked for; the package needs none.
          types: [],
        },
        include: ['*.mts', '*.cts'],
      }),
    );
    writeFileSync(
      path.join(project, 'bench.mts'),
      `import {
  type AnalysedRun,
  loadScenarioFile,
  type RunObserver,
  runScenario,
  type RunScenarioOptions,
  ScenarioError,
} from 'deploy-bench';

const observer: RunObserver = { phase: (event) => console.log(event.t, event.phase) };
const options: RunScenarioOptions = { outDir: 'out', trials: 1, formats: ['json', 'html'], observer };
const run: AnalysedRun = await runScenario('scenario.yaml', options);
const median: number | undefined = run.variants[0]?.summary.metrics.longestTransactionMs.median;
console.log(run.comparison?.headline, median, ScenarioError.name);
// @ts-expect-error the options need an outDir: the types are real, not any
await runScenario('scenario.yaml', {});
// @ts-expect-error environment variables are strings
await loadScenarioFile('scenario.yaml', { USERS: 4 });
`,
    );
    writeFileSync(
      path.join(project, 'bench.cts'),
      `import bench = require('deploy-bench');
import type { AnalysedRun } from 'deploy-bench';

async function worst(file: string): Promise<number | undefined> {
  const run: AnalysedRun = await bench.runScenario(file, { outDir: 'out' });
  return run.variants[0]?.summary.metrics.longestTransactionMs.max;
}
export = worst;
`,
    );
    const result = await inProject('npx', ['tsc', '-p', '.']);
    expect(result.all).toBe('');
    expect(result.exitCode).toBe(0);
  }, 60_000);
});
