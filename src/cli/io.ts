/**
 * What a command reads and writes of its process, handed to it rather than taken from `process`,
 * so that a test can run the CLI in-process and read what it printed. Paths still resolve against
 * the process's working folder: messages show them as they were typed.
 */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  /** The live view draws here: a terminal when `isTTY`. */
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Where Ctrl-C, SIGTERM and SIGHUP arrive from. */
  signals: {
    on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
    off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  };
  /** Leaves at once, waiting for nothing: a second Ctrl-C. Only `bin/` ends the process. */
  exitNow(code: number): void;
}
