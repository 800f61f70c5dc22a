import { readdirSync, readFileSync } from 'node:fs';
import { liveGroupMembers as groupMembers } from '../../src/process/process-group.ts';

/** Pids of live processes whose environment holds NAME=value: finds grandchildren too. */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // A zombie has exited already; it only waits for its parent to read its status.
      if (environ.includes(needle) && !/^\d+ \(.*\) Z /.test(stat)) found.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

/** Pids of the live (not zombie) members of a process group, as the product reads them. */
export function liveGroupMembers(pgid: number): number[] {
  const members = groupMembers(pgid);
  if (!members) throw new Error('no procfs: these tests run on Linux');
  return members;
}
