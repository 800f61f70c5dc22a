import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/export/folder-lock.ts';
import { OutputFolder } from '../../src/export/output-folder.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-folder-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;
/** An out folder, and beside it a file that someone who can write the folder wants overwritten. */
function attacked(): { out: string; victim: string } {
  const base = path.join(scratch, `case-${++folders}`);
  mkdirSync(base);
  const victim = path.join(base, 'victim.txt');
  writeFileSync(victim, 'precious');
  const out = path.join(base, 'out');
  mkdirSync(out);
  return { out, victim };
}

const refusal = (dir: string) =>
  OutputFolder.open(dir, 'refuse').then(
    (folder) => {
      folder.close();
      return 'accepted';
    },
    (error: Error) => error.message,
  );

describe('an output folder', () => {
  it('never writes through a link planted under the lock’s or a report’s name', async () => {
    const { out, victim } = attacked();
    // The lock's temporary name is predictable from the PID; a report's was too, before.
    symlinkSync(victim, path.join(out, `${LOCK_FILE}.${process.pid}`));
    symlinkSync(victim, path.join(out, `.results.json.${process.pid}.1.tmp`));
    const folder = await OutputFolder.open(out, 'keep');
    // Planted once the folder is open, under the report's own name.
    symlinkSync(victim, path.join(out, 'results.json'));
    folder.write('results.json', '{"mine": true}');
    folder.close();
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(path.join(out, 'results.json')).isFile()).toBe(true);
    expect(readFileSync(path.join(out, 'results.json'), 'utf8')).toBe('{"mine": true}');
    // The planted temporary names were bench's own leftovers: gone, links and all.
    expect(readdirSync(out).sort()).toEqual(['results.json']);
  });

  it('takes only its own leftovers for leftovers: a user’s look-alike files stay', async () => {
    const { out } = attacked();
    const mine = ['.backup.2024.cafe.tmp', '.write-probe', '.notes.12.34.tmp'];
    for (const file of mine) writeFileSync(path.join(out, file), 'mine');
    const folder = await OutputFolder.open(out, 'keep');
    folder.close();
    expect(readdirSync(out).sort()).toEqual([...mine].sort());
  });

  it('refuses a second run into a folder this very process holds (a library caller)', async () => {
    const { out } = attacked();
    const first = await OutputFolder.open(out, 'refuse');
    expect(await refusal(out)).toBe(
      `${out} is in use by another run in this process; wait for it to end, or choose another --out`,
    );
    first.close();
    expect(await refusal(out)).toBe('accepted');
  });

  it('counts any file as not empty, dotfiles included, but bench’s own leftovers', async () => {
    const { out } = attacked();
    writeFileSync(path.join(out, '.hidden'), '');
    expect(await refusal(out)).toBe(
      `${out} already holds a file (.hidden); choose another --out, or add --force to overwrite it`,
    );
    rmSync(path.join(out, '.hidden'));
    // What a run killed in the middle of a write leaves: removed, and the folder is empty.
    writeFileSync(path.join(out, '.results.json.4242.3.tmp'), '{"half');
    writeFileSync(path.join(out, '.index.html.4242.0a1b2c3d4e5f.tmp'), '');
    writeFileSync(path.join(out, `${LOCK_FILE}.stale.4242`), '4242\n');
    expect(await refusal(out)).toBe('accepted');
    expect(readdirSync(out)).toEqual([]);
  });

  it('takes no lock whose holder is not a process: PID 0, garbage, a link to a pipe', async () => {
    for (const [content, shown] of [
      ['0\n', 'unknown'],
      ['x', 'unknown'],
    ] as const) {
      const { out } = attacked();
      writeFileSync(path.join(out, LOCK_FILE), content);
      expect(await refusal(out)).toBe(
        `${out} is in use by another bench run (PID ${shown}); wait for it to end, or choose another --out (or remove ${path.join(out, LOCK_FILE)} if no run uses the folder)`,
      );
    }
    // Read through the link, the pipe would make bench wait forever.
    const { out } = attacked();
    const fifo = path.join(out, '..', 'fifo');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(fifo, path.join(out, LOCK_FILE));
    expect(await refusal(out)).toMatch(/is in use by another bench run \(PID unknown\)/);
  });

  it('takes over a lock whose PID now belongs to another process', async () => {
    const { out } = attacked();
    // A live process that did not start at tick 1 (bench writes its start time beside its PID).
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(out, LOCK_FILE), `${other.pid} 1\n`);
      expect(await refusal(out)).toBe('accepted');
      expect(existsSync(path.join(out, LOCK_FILE))).toBe(false);
      // A lock of an earlier version (a PID alone) held by a live process that is not bench.
      writeFileSync(path.join(out, LOCK_FILE), `${other.pid}\n`);
      expect(await refusal(out)).toBe('accepted');
    } finally {
      other.kill();
    }
  });

  it('leaves alone the lock another run took over meanwhile', async () => {
    const { out } = attacked();
    const folder = await OutputFolder.open(out, 'refuse');
    writeFileSync(path.join(out, LOCK_FILE), '4242 7\n');
    folder.close();
    expect(readFileSync(path.join(out, LOCK_FILE), 'utf8')).toBe('4242 7\n');
  });

  it('names only the files it wrote', async () => {
    const { out } = attacked();
    const folder = await OutputFolder.open(out, 'refuse');
    folder.write('results.json', '{}');
    folder.write('summary.md', '#');
    folder.write('results.json', '{}');
    expect(() => folder.write('../escape', 'x')).toThrow(/must stay inside/);
    folder.close();
    expect(folder.written).toEqual([path.join(out, 'results.json'), path.join(out, 'summary.md')]);
  });
});
