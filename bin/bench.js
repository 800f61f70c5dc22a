#!/usr/bin/env node
// The CLI runs from the compiled package (dist/, built by `npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    'bench: deploy-bench is not built: run `npm run build` in its folder (`npm ci` builds it)\n',
  );
  process.exit(3);
}
const { main } = await import(compiled.href);

// A terminal that went away (EIO) or a reader that quit (EPIPE, `bench run … | head`) must not crash
// a run before its results are saved: what cannot be shown is not shown.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

/** The process as the commands see it (src/cli/io.ts): the only place that ends it. */
const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: process,
  exitNow: (code) => process.exit(code),
};

// Exit as soon as the work is done: a keep-alive socket or a timer somewhere must not hold the
// operator (or CI) waiting. Writes to pipes and files are synchronous on Linux, so nothing is cut.
process.exit(await main(process.argv.slice(2), io));
