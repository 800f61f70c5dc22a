import yargs from 'yargs';
import { EXIT, ToolError } from '../errors/tool-error.ts';
import type { ExportName } from '../export/registry.ts';
import { PLATFORMS } from '../init/templates.ts';
import { TOOL } from '../run/tool.ts';
import { closest } from '../scenario/suggest.ts';
import { parseShard } from '../shard/plan.ts';
import { forTerminal } from '../text/escape.ts';
import { capacityCommand } from './capacity-command.ts';
import { compareCommand } from './compare-command.ts';
import { EXPORT_OPTION, parseExportOption } from './export-option.ts';
import { initCommand, validateCommand } from './init-validate-commands.ts';
import type { CliIo } from './io.ts';
import { mergeCommand } from './merge-command.ts';
import { reportCommand } from './report-command.ts';
import { runCommand } from './run-command.ts';
import { UsageError } from './usage-error.ts';

const SCENARIO_FILE = {
  type: 'string',
  demandOption: true,
  describe: 'scenario YAML file',
} as const;

/** What each command needs on its command line, for the line that says it is missing. */
const COMMANDS: Record<string, string> = {
  run: 'a scenario file, e.g. bench run scenarios/preboot.yaml',
  report: 'a results.json, e.g. bench report reports/preboot/results.json',
  merge: "the shards' results.json files",
  compare: 'two results.json files: bench compare BASE.json HEAD.json',
  capacity: 'a target: a scenario file or a URL',
  validate: 'one or more scenario files',
  init: '',
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
    return `${command}: expected ${COMMANDS[command]}`;
  // yargs names an unknown --some-flag twice, also as someFlag.
  const unknown = /^Unknown arguments?: (.*)$/.exec(message)?.[1]?.split(', ');
  if (unknown) {
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const named = unknown.filter((name) => kebab(name) === name || !unknown.includes(kebab(name)));
    return `unknown argument${named.length === 1 ? '' : 's'}: ${named.join(', ')}`;
  }
  return message;
}

/** Parses argv, runs the command, and turns every outcome into one of the documented exit codes. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const cli = yargs()
    .scriptName('bench')
    .version(TOOL.version)
    .usage('$0 <command> [options]\n\nMeasures what users feel while a service is redeployed.')
    .command(
      'run <file>',
      'run a scenario: load the target, deploy it with each variant, write the reports',
      (command) =>
        command
          .positional('file', SCENARIO_FILE)
          .option('out', {
            type: 'string',
            describe: 'folder for the reports (default reports/<date>-<name>/)',
          })
          .option('trials', {
            type: 'number',
            describe: 'trials per variant (overrides the scenario)',
          })
          .option('export', EXPORT_OPTION)
          .option('force', {
            type: 'boolean',
            default: false,
            describe: 'write into an --out folder that already holds files',
          })
          .option('quiet', {
            type: 'boolean',
            default: false,
            describe: 'no progress and no phase lines: only the summary and problems',
          })
          .option('gate', {
            type: 'string',
            array: true,
            describe: "pass/fail threshold, repeatable, e.g. --gate 'preboot.longest < 2s'",
          })
          .option('variant', { type: 'string', describe: 'run only this variant' })
          .option('shard', {
            type: 'string',
            describe:
              'run shard i of N: its share of the load, on the shared schedule (docs/scale.md)',
          })
          .option('start-at', {
            type: 'string',
            describe: 'with --shard: when every shard starts its load, e.g. 2026-11-26T12:00:00Z',
          })
          .option('follow', {
            type: 'boolean',
            default: false,
            describe: 'with --shard: this shard does not deploy (shard 1 does, unless it follows)',
          })
          .check((args) => {
            // The scenario's own bound for `trials`.
            if (
              args.trials !== undefined &&
              !(Number.isInteger(args.trials) && args.trials >= 1 && args.trials <= 1000)
            ) {
              return '--trials: expected a whole number from 1 to 1000';
            }
            if (args.shard !== undefined && !parseShard(args.shard)) {
              return `--shard ${args.shard}: expected i/N with 1 <= i <= N, e.g. 2/4`;
            }
            if (args.shard === undefined && (args.startAt !== undefined || args.follow)) {
              return '--start-at and --follow go with --shard';
            }
            const formats = parseExportOption(args.export);
            return typeof formats === 'string' ? formats : true;
          })
          .example(
            '$0 run scenarios/preboot.yaml',
            'stop-start against preboot on the embedded platform',
          )
          .example(
            '$0 run scenarios/preboot.yaml --out out --export html,md',
            'only the page and the summary',
          )
          .example(
            "$0 run scenarios/preboot.yaml --gate 'preboot.longest < 1s' --gate '*.errors == 0'",
            'exit 1 when a gate fails',
          ),
      async (args) => {
        const formats = parseExportOption(args.export) as ExportName[];
        exitCode = await runCommand(
          {
            file: args.file,
            out: args.out,
            trials: args.trials,
            formats,
            gates: (args.gate ?? []).map(String),
            force: args.force,
            quiet: args.quiet,
            ...(args.variant !== undefined ? { variant: args.variant } : {}),
            ...(args.shard !== undefined
              ? {
                  shard: {
                    ...(parseShard(args.shard) as { index: number; count: number }),
                    ...(args.startAt !== undefined ? { startAt: args.startAt } : {}),
                    follow: args.follow,
                  },
                }
              : {}),
          },
          io,
        );
      },
    )
    .command(
      'report <results>',
      're-render the reports of a saved run from its results.json, running nothing',
      (command) =>
        command
          .positional('results', {
            type: 'string',
            demandOption: true,
            describe: 'a results.json written by bench run',
          })
          .option('out', {
            type: 'string',
            describe: "folder to write into (default: the results' folder)",
          })
          .option('export', EXPORT_OPTION)
          .check((args) => {
            const formats = parseExportOption(args.export);
            return typeof formats === 'string' ? formats : true;
          })
          .example(
            '$0 report reports/my-run/results.json --out /tmp/again',
            'the same files again, elsewhere',
          ),
      async (args) => {
        const formats = parseExportOption(args.export) as ExportName[];
        exitCode = await reportCommand({ file: args.results, out: args.out, formats }, io);
      },
    )
    .command(
      'merge <files..>',
      'merge the results of the shards of one run into one run, with every report',
      (command) =>
        command
          .positional('files', {
            type: 'string',
            array: true,
            demandOption: true,
            describe: "shards' results.json (or merges of them)",
          })
          .option('out', { type: 'string', demandOption: true, describe: 'folder for the reports' })
          .option('export', EXPORT_OPTION)
          .option('force', {
            type: 'boolean',
            default: false,
            describe: 'write into an --out folder that already holds files',
          })
          .check((args) => {
            const formats = parseExportOption(args.export);
            return typeof formats === 'string' ? formats : true;
          })
          .example(
            '$0 merge shard-*/results.json --out merged',
            'one report for a run sharded over several machines',
          ),
      async (args) => {
        exitCode = await mergeCommand(
          {
            files: args.files.map(String),
            out: args.out,
            formats: parseExportOption(args.export) as ExportName[],
            force: args.force,
          },
          io,
        );
      },
    )
    .command(
      'compare <base> <head>',
      'compare two saved runs metric by metric; exit 1 on a regression',
      (command) =>
        command
          .positional('base', {
            type: 'string',
            demandOption: true,
            describe: 'results.json of the baseline',
          })
          .positional('head', {
            type: 'string',
            demandOption: true,
            describe: 'results.json of the change',
          })
          .option('max-regression', {
            type: 'string',
            default: '20%',
            describe: 'allowed worsening of a median',
          })
          .option('out', {
            type: 'string',
            describe: 'folder for compare.json, compare.md, junit.xml',
          })
          .example(
            '$0 compare main/results.json pr/results.json --max-regression 10%',
            'gate a pull request on main',
          ),
      async (args) => {
        exitCode = await compareCommand(
          {
            base: args.base,
            head: args.head,
            maxRegression: args['max-regression'],
            out: args.out,
          },
          io,
        );
      },
    )
    .command(
      'capacity <target>',
      "measure a target's sustainable request rate at steady state (no deploy), with autocannon",
      (command) =>
        command
          .positional('target', {
            type: 'string',
            demandOption: true,
            describe: 'a URL, or a scenario file',
          })
          .option('duration', { type: 'number', default: 5, describe: 'seconds per step' })
          .option('connections', {
            type: 'string',
            default: '1,4,16,64',
            describe: 'connection counts to try',
          })
          .example(
            '$0 capacity scenarios/preboot.yaml',
            "the sample app's capacity, and a load level for the demo",
          ),
      async (args) => {
        exitCode = await capacityCommand(
          {
            target: args.target,
            duration: args.duration,
            connections: args.connections,
          },
          io,
        );
      },
    )
    .command(
      'validate <files..>',
      'check scenario files (and their gates) without running anything',
      (command) =>
        command
          .positional('files', { ...SCENARIO_FILE, type: 'string', array: true })
          .example(
            '$0 validate scenarios/preboot.yaml',
            'exit 0 when valid, 2 with one line per problem',
          )
          .example('$0 validate scenarios/*.yaml', 'check every scenario at once'),
      async (args) => {
        exitCode = await validateCommand({ files: args.files }, io);
      },
    )
    .command(
      'init',
      'write a commented starter scenario',
      (command) =>
        command
          .option('platform', {
            choices: PLATFORMS,
            default: 'embedded' as const,
            describe: 'what deploys the target',
          })
          .option('out', { type: 'string', describe: 'file to write (default: standard output)' })
          .option('force', {
            type: 'boolean',
            default: false,
            describe: 'overwrite --out if it exists',
          })
          .example('$0 init --platform heroku --out heroku.yaml', 'then: $0 validate heroku.yaml'),
      async (args) => {
        exitCode = await initCommand(
          { platform: args.platform, out: args.out, force: args.force },
          io,
        );
      },
    )
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
    });

  // Messages quote file names, scenario text and saved results: shown, never acted on by the terminal.
  const say = (text: string) => io.stderr.write(forTerminal(text));
  try {
    // yargs hands back its --help and --version text rather than printing it and exiting itself.
    await cli.exitProcess(false).parseAsync(argv, {}, (_error, _argv, output) => {
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
