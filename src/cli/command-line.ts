import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CliIo } from './io.ts';

/**
 * One command as the command line sees it: the options it declares and what it does with them.
 * Each lives beside its command's code and is loaded only when that command runs (cli/main.ts).
 */
export interface CommandLine {
  builder(yargs: Argv): Argv<unknown>;
  /** Runs the command with its parsed arguments; resolves to the exit code. */
  run(args: unknown, io: CliIo): Promise<number>;
}

/** A command line whose `run` gets the arguments its builder declared, typed. */
export function defineCommandLine<T>(
  builder: (yargs: Argv) => Argv<T>,
  run: (args: ArgumentsCamelCase<T>, io: CliIo) => Promise<number>,
): CommandLine {
  return { builder, run: (args, io) => run(args as ArgumentsCamelCase<T>, io) };
}

/** The scenario file positional of `run` and `validate`. */
export const SCENARIO_FILE = {
  type: 'string',
  demandOption: true,
  describe: 'scenario YAML file',
} as const;
