import { EXIT, type ExitCode, ToolError } from '../errors/tool-error.ts';

/** The output folder cannot be used, or the reports could not be written in it. */
export class OutputError extends ToolError {
  override name = 'OutputError';
  get exitCode(): ExitCode {
    return this.kind === 'io' ? EXIT.runFailed : EXIT.badInput;
  }
  constructor(
    message: string,
    /**
     * `exists`: the folder holds an earlier run; `path`: the folder cannot be one (both bad input,
     * exit 2); `io`: writing failed (exit 3).
     */
    readonly kind: 'exists' | 'path' | 'io' = 'io',
  ) {
    super(message);
  }
}

/** A folder that cannot be made there is the choice of folder (exit 2); a full disk is not (exit 3). */
export function kindOf(error: { code?: unknown }): OutputError['kind'] {
  return ['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS'].includes(String(error.code))
    ? 'path'
    : 'io';
}
