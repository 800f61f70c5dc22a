import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT } from '../errors/tool-error.ts';
import { OutputError } from '../export/output-error.ts';
import { findProgram } from '../files/find-program.ts';
import { readBounded, UnreadableFile } from '../files/read-bounded.ts';
import { copyRecipe, RECIPE_NAMES, RECIPES } from '../init/recipes.ts';
import { parseSiegeUrls } from '../init/siege-urls.ts';
import { type InitPlatform, PLATFORMS, siegeScenario, starterScenario } from '../init/templates.ts';
import { formatProblem, ScenarioError } from '../scenario/errors.ts';
import { type LoadedScenario, loadScenarioFile, MAX_SCENARIO_BYTES } from '../scenario/load.ts';
import { forTerminal } from '../text/escape.ts';
import { defineCommandLine, SCENARIO_FILE } from './command-line.ts';
import type { CliIo } from './io.ts';
import { UsageError } from './usage-error.ts';

/** `bench init`: a commented starter scenario, to stdout or a file (never over an existing one). */
export async function initCommand(
  args: {
    platform?: InitPlatform;
    out?: string;
    force: boolean;
    /** A siege URL file whose URLs become the scenario's endpoints. */
    fromSiege?: string;
    /** A recipe of examples/recipes/ to copy into `out`. */
    recipe?: string;
  },
  io: CliIo,
): Promise<number> {
  if (args.recipe !== undefined) return initRecipe(args.recipe, args.out, args.force, io);
  const text = args.fromSiege
    ? await fromSiege(args.fromSiege, args.platform ?? 'command', args.out)
    : starterScenario(args.platform ?? 'embedded');
  if (!args.out) {
    io.stdout.write(text);
    return EXIT.ok;
  }
  const out = args.out;
  const exists = () => new UsageError(`${out} exists; add --force to overwrite it`);
  if (existsSync(out) && !args.force) throw exists();
  // Never through a link: created exclusively, or, with --force, written beside it and renamed
  // over it (a dangling link planted under the name would have made its target).
  const temporary = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  await writeFile(args.force ? temporary : out, text, { flag: 'wx' })
    .then(() => (args.force ? rename(temporary, out) : undefined))
    .catch(async (error: NodeJS.ErrnoException) => {
      await rm(temporary, { force: true });
      if (error.code === 'EEXIST' && !args.force) throw exists();
      // A folder that is not there or not ours is a wrong --out (exit 2); anything else, exit 3.
      const wrongPath = ['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EEXIST'].includes(
        error.code ?? '',
      );
      throw new OutputError(`cannot write ${out}: ${error.message}`, wrongPath ? 'path' : 'io');
    });
  io.stderr.write(`wrote ${args.out}; check it with: bench validate ${args.out}\n`);
  return EXIT.ok;
}

/** `bench init --recipe NAME`: the recipe's folder copied into `out` (./NAME by default). */
async function initRecipe(
  name: string,
  out: string | undefined,
  force: boolean,
  io: CliIo,
): Promise<number> {
  const recipe = RECIPES.find((r) => r.name === name);
  if (!recipe)
    throw new UsageError(
      `--recipe: unknown recipe "${name}"; expected one of ${RECIPE_NAMES.join(', ')}`,
    );
  const folder = out ?? name;
  let files: string[];
  try {
    files = await copyRecipe(name, folder, force);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'EEXIST')
      throw new UsageError(`${message}; add --force to overwrite the recipe's files`);
    const wrongPath = ['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES'].includes(code ?? '');
    throw new OutputError(
      code === 'ENOTDIR' ? `--out ${message}` : `cannot write ${folder}: ${message}`,
      wrongPath ? 'path' : 'io',
    );
  }
  const scenario = path.join(folder, 'scenario.yaml');
  const lines = [`wrote ${folder}${path.sep}: ${files.join(', ')}`, `${name}: ${recipe.summary}`];
  for (const need of recipe.needs) {
    const found = findProgram(need.program, folder, io.env.PATH);
    lines.push(`needs ${need.program}${found ? '' : ` (not found on PATH: ${need.install})`}`);
  }
  lines.push(`run it: bench run ${scenario}; read ${path.join(folder, 'README.md')} first`);
  io.stderr.write(forTerminal(`${lines.join('\n')}\n`));
  return EXIT.ok;
}

/** A starter for `platform` whose endpoints are a siege URL file's lines. */
async function fromSiege(
  file: string,
  platform: InitPlatform,
  out: string | undefined,
): Promise<string> {
  if (platform === 'embedded')
    throw new UsageError(
      '--from-siege: the embedded platform serves its own app, not your URLs; choose --platform heroku, kubernetes, pm2 or command',
    );
  let text: string;
  try {
    text = (await readBounded(file, MAX_SCENARIO_BYTES)).toString('utf8');
  } catch (error) {
    if (!(error instanceof UnreadableFile)) throw error;
    throw new UsageError(`--from-siege ${file}: cannot read it: ${error.message}`);
  }
  // siege reads `<file` from its own folder; the scenario, from the scenario's (or, on standard
  // output, from wherever it is saved: an absolute path then).
  const bodyFile = (name: string) => {
    const found = path.resolve(path.dirname(file), name);
    if (!existsSync(found)) return { problem: `<${name}: no such file next to ${file}` };
    return { path: out ? path.relative(path.dirname(path.resolve(out)), found) : found };
  };
  return siegeScenario(platform, parseSiegeUrls(text, file, bodyFile), file);
}

/**
 * `bench validate FILE…`: checks scenarios, gates included, without running anything. Every file
 * is checked, each problem on a line of its own; exit 2 when any file has one.
 */
export async function validateCommand(args: { files: string[] }, io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  for (const file of args.files) {
    try {
      const loaded = await loadScenarioFile(file, io.env);
      io.stdout.write(forTerminal(`${validLine(file, loaded)}\n`));
      for (const warning of scenarioWarnings(loaded))
        io.stderr.write(forTerminal(`${file}: warning: ${warning}\n`));
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      for (const problem of error.problems)
        io.stderr.write(forTerminal(`${formatProblem(problem)}\n`));
      exitCode = EXIT.badInput;
    }
  }
  return exitCode;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function validLine(file: string, { scenario, gates }: LoadedScenario): string {
  const load =
    scenario.load.model === 'open'
      ? `open model at ${scenario.load.rate}/s`
      : `closed model, ${plural(scenario.load.users, 'user')}`;
  const target = 'platform' in scenario.target ? 'the embedded platform' : scenario.target.url;
  const variants = `${plural(scenario.variants.length, 'variant')} (${scenario.variants.map((v) => v.name).join(', ')})`;
  // Gates against past runs validate, and then need a history folder to run.
  const fromHistory = gates.filter((g) => g.right.kind === 'history').length;
  const history =
    fromHistory > 0 ? ` (${fromHistory} against past runs: run with --history DIR)` : '';
  return `${file}: valid — ${target}, ${load}, ${variants}, ${plural(scenario.trials, 'trial')} each, ${plural(gates.length, 'gate')}${history}`;
}

/**
 * What validates but will not work here: the app's program is not installed, or the script it or a
 * deploy command runs is not where the scenario says (a starter's `server.js`, `./deploy.sh`).
 */
function scenarioWarnings({ scenario, dir, env }: LoadedScenario): string[] {
  const warnings: string[] = [];
  if ('platform' in scenario.target) {
    const { app } = scenario.target.platform;
    const cwd = path.resolve(dir, app.cwd ?? '.');
    const words = Array.isArray(app.command) ? app.command : commandWords(app.command);
    const [program, script] = words;
    if (program !== undefined && !findProgram(program, cwd, env.PATH))
      warnings.push(
        `target.platform.app.command: the program "${program}" is not found${program.includes('/') ? '' : ' on PATH'}; the app would not start`,
      );
    else if (program !== undefined && missingScript(program, script, cwd))
      warnings.push(
        `target.platform.app.command: "${script}" is not in ${cwd}; the app would not start`,
      );
  }
  scenario.variants.forEach((variant, index) => {
    if (variant.command === undefined) return;
    const [program, script] = commandWords(variant.command);
    if (program === undefined) return;
    const where = `variants[${index}].command`;
    if (program.includes('/') && !findProgram(program, dir, env.PATH))
      warnings.push(
        `${where}: "${program}" is not an executable file in ${dir}; the deploy would fail`,
      );
    else if (missingScript(program, script, dir))
      warnings.push(`${where}: "${script}" is not in ${dir}; the deploy would fail`);
  });
  return warnings;
}

/** Interpreters whose first argument is the script they run. */
const INTERPRETERS = /^(node|nodejs|deno|bun|python\d*(\.\d+)?|ruby|perl|php|bash|sh|zsh)$/;

/** `node server.js` whose server.js is not there; options (`-e`, `--watch`) are not scripts. */
function missingScript(program: string, script: string | undefined, cwd: string): boolean {
  if (!INTERPRETERS.test(path.basename(program))) return false;
  if (script === undefined || script.startsWith('-') || !/^[\w./@+-]+$/.test(script)) return false;
  const found = path.resolve(cwd, script);
  // Node finds `server` as server.js (or .mjs, .cjs), a folder as its index.
  const candidates = /^(node|nodejs|bun)$/.test(path.basename(program))
    ? ['', '.js', '.mjs', '.cjs'].map((extension) => `${found}${extension}`)
    : [found];
  return !candidates.some((candidate) => existsSync(candidate));
}

/** A shell command's program and its first argument, when both are plain words. */
function commandWords(command: string): string[] {
  const words = command.trim().split(/\s+/);
  const start = words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  const program = firstWord(command);
  return program === undefined || start < 0 ? [] : words.slice(start, start + 2);
}

/** The program a shell command runs first, past `NAME=value` settings; undefined for shell syntax. */
function firstWord(command: string): string | undefined {
  const words = command.trim().split(/\s+/);
  const word = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  return word && /^[\w./@+-]+$/.test(word) && !SHELL_WORDS.has(word) ? word : undefined;
}

/** Builtins and keywords: the shell has them whatever PATH holds. */
const SHELL_WORDS = new Set([
  'exec',
  'cd',
  'export',
  'set',
  'eval',
  'for',
  'if',
  'while',
  'true',
  'false',
  '.',
  'env',
  'test',
]);

/** `bench validate FILES…` */
export const validateCommandLine = defineCommandLine(
  (command) =>
    command
      .positional('files', { ...SCENARIO_FILE, type: 'string', array: true })
      .example(
        '$0 validate scenarios/preboot.yaml',
        'exit 0 when valid, 2 with one line per problem',
      )
      .example('$0 validate scenarios/*.yaml', 'check every scenario at once'),
  (args, io) => validateCommand({ files: args.files }, io),
);

/** `bench init [--platform P] [--out FILE]` */
export const initCommandLine = defineCommandLine(
  (command) =>
    command
      .option('platform', {
        choices: PLATFORMS,
        requiresArg: true,
        describe: 'what deploys the target (default embedded; command with --from-siege)',
      })
      .option('from-siege', {
        type: 'string',
        requiresArg: true,
        describe: "a siege URL file (siege -f): its URLs become the scenario's endpoints",
      })
      .option('recipe', {
        choices: RECIPE_NAMES,
        requiresArg: true,
        conflicts: ['platform', 'from-siege'],
        describe: 'copy a zero-downtime recipe (docs/recipes.md) into the --out folder',
      })
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe:
          'file to write (default: standard output); with --recipe, a folder (default ./NAME)',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: "overwrite --out (with --recipe, the recipe's files in it) if it exists",
      })
      .example('$0 init --platform heroku --out heroku.yaml', 'then: bench validate heroku.yaml')
      .example('$0 init --from-siege urls.txt --out deploy.yaml', "siege's URLs as endpoints")
      .example('$0 init --recipe pm2 --out pm2/', 'then: bench run pm2/scenario.yaml'),
  (args, io) =>
    initCommand(
      {
        ...(args.platform !== undefined ? { platform: args.platform } : {}),
        ...(args.fromSiege !== undefined ? { fromSiege: args.fromSiege } : {}),
        ...(args.recipe !== undefined ? { recipe: args.recipe } : {}),
        out: args.out,
        force: args.force,
      },
      io,
    ),
);
