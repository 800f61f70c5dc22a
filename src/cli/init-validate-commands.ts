import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { type InitPlatform, starterScenario } from '../init/templates.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { EXIT } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';

/** `bench init`: a commented starter scenario, to stdout or a file (never over an existing one). */
export async function initCommand(args: {
  platform: InitPlatform;
  out?: string;
  force: boolean;
}): Promise<number> {
  const text = starterScenario(args.platform);
  if (!args.out) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  if (existsSync(args.out) && !args.force)
    throw new UsageError(`${args.out} exists; add --force to overwrite it`);
  await writeFile(args.out, text);
  process.stderr.write(`wrote ${args.out}; check it with: bench validate ${args.out}\n`);
  return EXIT.ok;
}

/** `bench validate FILE`: checks a scenario, gates included, without running anything. */
export async function validateCommand(args: { file: string }): Promise<number> {
  const { scenario, gates } = await loadScenarioFile(args.file);
  const load =
    scenario.load.model === 'open'
      ? `open model at ${scenario.load.rate}/s`
      : `closed model, ${scenario.load.users} user${scenario.load.users === 1 ? '' : 's'}`;
  const target = 'platform' in scenario.target ? 'the embedded platform' : scenario.target.url;
  process.stdout.write(
    `${args.file}: valid — ${target}, ${load}, ${scenario.variants.length} variants (${scenario.variants.map((v) => v.name).join(', ')}), ${scenario.trials} trial${scenario.trials === 1 ? '' : 's'} each, ${gates.length} gate${gates.length === 1 ? '' : 's'}\n`,
  );
  return EXIT.ok;
}
