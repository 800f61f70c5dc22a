import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it, as a pipe would deliver it (not a terminal). */
function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

/**
 * `bench ARGS` run in this process, as bin/bench.js runs it but with captured output: for tests of
 * what the CLI says and its exit code, without the cost of a new Node process each.
 */
export async function benchInProcess(
  args: string[],
  env: NodeJS.ProcessEnv = { ...process.env, CI: '1' },
): Promise<CliResult> {
  const stdout = capture();
  const stderr = capture();
  const exitCode = await main(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env,
    signals: new EventEmitter(),
    exitNow: (code) => {
      throw new Error(`the CLI asked to exit at once with ${code}`);
    },
  });
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}
