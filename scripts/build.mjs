// Builds dist/ without ever taking it away: tsc compiles into a fresh temporary folder, then each
// output file that changed replaces its old copy by a rename (atomic), and files whose source is gone
// are removed last. `npx bench` in the checkout keeps working while the tests rebuild it.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Not import.meta.dirname: `npm ci` runs this on any Node 20, and that came in 20.11.
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const fresh = path.join(root, `.dist-build-${process.pid}-${randomBytes(4).toString('hex')}`);
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir, prefix = '') {
  let entries;
  try {
    entries = readdirSync(path.join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(dir, relative) : [relative];
  });
}

function sameContent(a, b) {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}

/** Removes the folders that hold no file any more (a source folder that was deleted). */
function removeEmptyFolders(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = path.join(dir, entry.name);
    removeEmptyFolders(folder);
    if (readdirSync(folder).length === 0) rmdirSync(folder);
  }
}

/** Temporary folders of builds that were killed (a finished or failed one removes its own). */
function removeAbandonedBuilds() {
  for (const entry of readdirSync(root)) {
    const pid = /^\.dist-build-(\d+)-/.exec(entry)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

try {
  removeAbandonedBuilds();
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', fresh], {
    cwd: root,
    stdio: 'inherit',
  });
  const built = filesUnder(fresh);
  for (const file of built) {
    const target = path.join(dist, file);
    if (sameContent(path.join(fresh, file), target)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    // A temporary name in the target's own folder: rename is atomic only within one file system.
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, readFileSync(path.join(fresh, file)));
    renameSync(temporary, target);
  }
  const keep = new Set(built);
  for (const file of filesUnder(dist)) {
    if (!keep.has(file)) rmSync(path.join(dist, file), { force: true });
  }
  removeEmptyFolders(dist);
} catch (error) {
  // tsc has printed its errors; anything else gets one line.
  if (error.status === undefined) console.error(`build: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
