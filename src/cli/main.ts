import yargs from 'yargs';
import { EXIT, ToolError } from '../errors/tool-error.ts';
import { TOOL } from '../run/tool.ts';
import { closest } from '../scenario/suggest.ts';
import { forTerminal } from '../text/escape.ts';
import type { CommandLine } from './command-line.ts';
import type { CliIo } from './io.ts';
import { UsageError } from './usage-error.ts';

interface Command {
  usage: string;
  describe: string;
  /** What the command needs on its command line, for the line that says it is missing. */
  expects: string;
  /**
   * Its options and code, loaded only when it runs: `bench --version` and `bench --help` load none
   * of the libraries the commands need (docs/performance.md).
   */
  load(): Promise<CommandLine>;
}

const COMMANDS: Record<string, Command> = {
  run: {
    usage: 'run <file>',
    describe: 'run a scenario: load the target, deploy it with each variant, write the reports',
    expects: 'a scenario file, e.g. bench run scenarios/preboot.yaml',
    load: async () => (await import('./run-command.ts')).runCommandLine,
  },
  report: {
    usage: 'report <results>',
    describe: 're-render the reports of a saved run from its results.json, running nothing',
    expects: 'a results.json, e.g. bench report reports/preboot/results.json',
    load: async () => (await import('./report-command.ts')).reportCommandLine,
  },
  merge: {
    usage: 'merge <files..>',
    describe: 'merge the results of the shards of one run into one run, with every report',
    expects: "the shards' results.json files",
    load: async () => (await import('./merge-command.ts')).mergeCommandLine,
  },
  compare: {
    usage: 'compare <base> <head>',
    describe: 'compare two saved runs metric by metric; exit 1 on a regression',
    expects: 'two results.json files: bench compare BASE.json HEAD.json',
    load: async () => (await import('./compare-command.ts')).compareCommandLine,
  },
  history: {
    usage: 'history <dir>',
    describe: 'the trend of the runs a --history folder holds: history.html and history.md',
    expects: 'a history folder, e.g. bench history .bench-history',
    load: async () => (await import('./history-command.ts')).historyCommandLine,
  },
  watch: {
    usage: 'watch [url]',
    describe:
      'load a target while somebody else deploys it, until Ctrl-C or --duration; the deploy is found from the traffic',
    expects: 'a URL, e.g. bench watch http://127.0.0.1:3000/',
    load: async () => (await import('./watch-command.ts')).watchCommandLine,
  },
  capacity: {
    usage: 'capacity <target>',
    describe:
      "measure a target's sustainable request rate at steady state (no deploy), with autocannon",
    expects: 'a target: a scenario file or a URL',
    load: async () => (await import('./capacity-command.ts')).capacityCommandLine,
  },
  validate: {
    usage: 'validate <files..>',
    describe: 'check scenario files (and their gates) without running anything',
    expects: 'one or more scenario files',
    load: async () => (await import('./init-validate-commands.ts')).validateCommandLine,
  },
  init: {
    usage: 'init',
    describe: 'write a commented starter scenario',
    expects: '',
    load: async () => (await import('./init-validate-commands.ts')).initCommandLine,
  },
};

/**
 * yargs' own wording, said the way this tool says things, with a guess for a mistyped command. It
 * reads yargs' English messages: under another LANG they pass through unchanged, still one line.
 */
function usageProblem(argv: readonly string[], message: string): string {
  const [command] = argv;
  if (command !== undefined && !command.startsWith('-') && !Object.hasOwn(COMMANDS, command)) {
    const guess = closest(command, Object.keys(COMMANDS));
    return `unknown command "${command}"${guess ? `; did you mean "${guess}"?` : ''}`;
  }
  if (command && message.startsWith('Not enough non-option arguments'))
    return `${command}: expected ${COMMANDS[command]?.expects}`;
  const valueless = /^Not enough arguments following: (\S+)$/.exec(message);
  if (valueless) return `--${valueless[1]}: expected a value`;
  // One invalid value (yargs lists several on lines of their own: those pass through as they are).
  const invalid = /^Invalid values:\n\s+Argument: (\S+), Given: ([^\n]*), Choices: ([^\n]*)$/.exec(
    message,
  );
  if (invalid) return `--${invalid[1]}: expected one of ${invalid[3]}, got ${invalid[2]}`;
  // yargs names an unknown --some-flag twice, also as someFlag.
  const unknown = /^Unknown arguments?: (.*)$/.exec(message)?.[1]?.split(', ');
  if (unknown) {
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const named = unknown.filter((name) => kebab(name) === name || !unknown.includes(kebab(name)));
    return `unknown argument${named.length === 1 ? '' : 's'}: ${named.join(', ')}`;
  }
  return message;
}

/**
 * The command line: every command listed, and those named on it loaded with their options and code;
 * the one that runs reports its exit code through `exited`.
 */
async function commandLine(argv: readonly string[], io: CliIo, exited: (code: number) => void) {
  // Which word is the command only yargs knows once it has the options (`--out run run x`): every
  // word that names a command loads it, so the one yargs picks is always loaded. Usually one is.
  const named = new Set(argv.filter((word) => Object.hasOwn(COMMANDS, word)));
  const cli = yargs()
    .scriptName('bench')
    .version(TOOL.version)
    .usage('$0 <command> [options]\n\nMeasures what users feel while a service is redeployed.');
  for (const [name, command] of Object.entries(COMMANDS)) {
    if (!named.has(name)) {
      // Listed in `bench --help`; not on the command line, so never the one that runs.
      cli.command(command.usage, command.describe);
      continue;
    }
    const line = await command.load();
    cli.command(command.usage, command.describe, line.builder, async (args) => {
      exited(await line.run(args, io));
    });
  }
  return cli
    .check((args) => {
      // An option given twice arrives as a list, which only the options declared as lists expect.
      // (`getOptions` is public but missing from yargs' types: yargs/yargs#2098; Angular's CLI
      // does the same.)
      const { array } = (cli as unknown as { getOptions(): { array: string[] } }).getOptions();
      const lists = new Set(array);
      const twice = Object.keys(args).find(
        (key) => key !== '_' && Array.isArray(args[key]) && !lists.has(key),
      );
      return twice === undefined || `--${twice}: expected once, got it more than once`;
    })
    .demandCommand(1, 'expected a command, e.g. bench run scenarios/preboot.yaml')
    .strict()
    .help()
    .epilogue(
      'Exit codes: 0 done, 1 a gate failed, 2 bad input, 3 the run failed, 130 interrupted.',
    )
    .fail((message, error) => {
      // yargs reports its own validation as a YError (or a bare string); anything else came from a
      // command handler and keeps its own type.
      if (error instanceof Error && error.name !== 'YError') throw error;
      throw new UsageError(usageProblem(argv, message ?? String(error)));
    })
    .exitProcess(false);
}

/** Parses argv, runs the command, and turns every outcome into one of the documented exit codes. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  // Messages quote file names, scenario text and saved results: shown, never acted on by the terminal.
  const say = (text: string) => io.stderr.write(forTerminal(text));
  try {
    let exitCode: number = EXIT.ok;
    const cli = await commandLine(argv, io, (code) => {
      exitCode = code;
    });
    // yargs hands back its --help and --version text rather than printing it and exiting itself.
    await cli.parseAsync(argv, {}, (_error, _argv, output) => {
      if (output) io.stdout.write(`${output}\n`);
    });
    return exitCode;
  } catch (error) {
    // A failure the tool foresaw carries its own words and exit code.
    if (error instanceof ToolError) {
      say(`${error.explain()}\n`);
      return error.exitCode;
    }
    const detail = io.env.BENCH_DEBUG ? (error as Error).stack : (error as Error).message;
    say(`bench: the run failed: ${detail}\n`);
    return EXIT.runFailed;
  }
}
