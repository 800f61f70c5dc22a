import { EXIT, ToolError } from '../errors/tool-error.ts';

/** A command line that cannot be followed: one line on stderr, exit code 2. */
export class UsageError extends ToolError {
  override name = 'UsageError';
  readonly exitCode = EXIT.badInput;

  override explain(): string {
    return `bench: ${this.message}\nRun 'bench --help' for usage.`;
  }
}
