// Runs a zero-downtime recipe (examples/recipes/<name>/) as a user would after `bench init
// --recipe`: its files copied into a folder of their own, `bench run scenario.yaml` on free ports,
// and the figures of each way read back from results.json. Used by `npm run recipes` (the table of
// docs/recipes.md) and by the recipes' end-to-end tests.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { findProgram } from '../src/files/find-program.ts';
import { copyRecipe, RECIPES, type Recipe } from '../src/init/recipes.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BENCH = path.join(REPO, 'bin/bench.js');

/** What users felt during one way's deploy (the worst of its trials). */
export interface WayFigures {
  name: string;
  description: string;
  requests: number;
  /** The users' failed requests (probe requests are not users'). */
  failed: number;
  /** Failed requests by kind, the kinds that happened. */
  failedByKind: Record<string, number>;
  longestUserWaitMs: number;
  longestTransactionMs: number;
  /** Fault findings' ids, then information ones in brackets. */
  findings: string[];
}

export type RecipeRun =
  | { recipe: Recipe; status: 'not-run'; missing: string[] }
  | {
      recipe: Recipe;
      status: 'ran';
      exitCode: number;
      /** Why the run stopped early, if it did (results.json's `failure`). */
      failure: string | null;
      ways: WayFigures[];
      /** The run's own last lines, for a run that did not measure what it should. */
      output: string;
      /** Where results.json and the reports are (kept unless the run was clean). */
      folder: string;
    };

/** The programs of a recipe not found on the PATH it runs with, each with how to get it. */
function missingPrograms(recipe: Recipe, env: NodeJS.ProcessEnv): string[] {
  return recipe.needs
    .filter((need) => !findProgram(need.program, REPO, env.PATH))
    .map((need) => `${need.program} (${need.install})`);
}

/** A first port whose next `count - 1` are free too, on 127.0.0.1: a recipe's front and backends. */
export async function freePortBlock(count = 4): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768+), where outgoing connections take their ports.
    const first = 20_000 + Math.floor(Math.random() * 10_000);
    let all = true;
    for (let port = first; port < first + count && all; port++) all = await free(port);
    if (all) return first;
  }
  throw new Error('no block of free ports found on 127.0.0.1');
}

/** PATH with the project's own programs (pm2) first, as `npx bench` has it. */
function recipeEnv(port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RECIPE_PORT: String(port),
    PATH: `${path.join(REPO, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
}

/** Copies the recipe into a new folder and runs its scenario there; the figures of each way. */
export async function runRecipe(
  recipe: Recipe,
  options: { keep?: boolean } = {},
): Promise<RecipeRun> {
  const env = recipeEnv(await freePortBlock());
  const missing = missingPrograms(recipe, env);
  if (missing.length > 0) return { recipe, status: 'not-run', missing };
  const folder = mkdtempSync(path.join(os.tmpdir(), `recipe-${recipe.name}-`));
  await copyRecipe(recipe.name, folder, false);
  const out = path.join(folder, 'report');
  const run = await execa('node', [BENCH, 'run', 'scenario.yaml', '--out', out], {
    cwd: folder,
    env,
    reject: false,
    // Stopped before a test's own limit (240 s): bench then stops the recipe's servers itself.
    timeout: 180_000,
    all: true,
  });
  const exitCode = run.exitCode ?? -1;
  let ways: WayFigures[] = [];
  let failure: string | null = `no results.json (exit ${exitCode})`;
  try {
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    ways = waysOf(results);
    failure = results.failure;
  } catch {
    // No results: the output says why.
  }
  const output = (run.all ?? '').split('\n').slice(-40).join('\n');
  // A gate of the recipe failing is exit 1: the recipe's own claim did not hold.
  if (!options.keep && exitCode === 0) rmSync(folder, { recursive: true, force: true });
  return { recipe, status: 'ran', exitCode, failure, ways, output, folder };
}

// biome-ignore lint/suspicious/noExplicitAny: results.json is read as it comes
type Json = any;

/** Each way's figures from a results.json: failures from its trial with the most, waits the longest. */
export function waysOf(results: Json): WayFigures[] {
  return results.variants.flatMap((variant: Json) => {
    const trials: Json[] = variant.trials;
    if (trials.length === 0) return [];
    const longest = (field: string) => Math.max(0, ...trials.map((t) => t[field] ?? 0));
    // "failed of requests" and their kinds from one trial, never mixed from two.
    const mostFailed = trials.reduce((a, b) => (b.errors > a.errors ? b : a));
    const failedByKind = Object.fromEntries(
      Object.entries(mostFailed.errorsByKind as Record<string, number>).filter(([, n]) => n > 0),
    );
    const findings = new Map<string, string>();
    for (const trial of trials)
      for (const finding of trial.findings) findings.set(finding.id, finding.kind);
    return {
      name: variant.name,
      description: variant.description ?? '',
      requests: mostFailed.requests,
      failed: mostFailed.errors,
      failedByKind,
      longestUserWaitMs: longest('longestUserWaitMs'),
      longestTransactionMs: longest('longestTransactionMs'),
      findings: [...findings].map(([id, kind]) => (kind === 'fault' ? id : `(${id})`)),
    };
  });
}

const KIND_NAMES: Record<string, string> = { http5xx: '5xx' };

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The table of docs/recipes.md: one row per way of each recipe. */
export function recipesTable(runs: RecipeRun[]): string {
  const rows = [
    '| recipe | way | failed requests | longest user wait | longest transaction | findings |',
    '|---|---|---|---|---|---|',
  ];
  for (const run of runs) {
    if (run.status === 'not-run') {
      rows.push(`| ${run.recipe.name} | not run: install ${run.missing.join(', ')} | | | | |`);
      continue;
    }
    if (run.failure) rows.push(`| ${run.recipe.name} | failed: ${run.failure} | | | | |`);
    for (const way of run.ways) {
      const kinds = Object.entries(way.failedByKind)
        .map(([kind, n]) => `${KIND_NAMES[kind] ?? kind} ${n}`)
        .join(', ');
      rows.push(
        `| ${run.recipe.name} | ${way.name} | ${way.failed} of ${way.requests}${kinds ? ` (${kinds})` : ''} | ${seconds(way.longestUserWaitMs)} | ${seconds(way.longestTransactionMs)} | ${way.findings.join(', ') || '—'} |`,
      );
    }
  }
  return rows.join('\n');
}

export { RECIPES };
