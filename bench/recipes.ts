// npm run recipes [-- NAME… ] [--write]: runs every zero-downtime recipe (or those named) against
// the real programs, two at a time, and prints the table of docs/recipes.md. A recipe whose program
// is not installed is listed as not run, with what to install. --write puts the table, with the
// date and the machine, into docs/recipes.md.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECIPES, type RecipeRun, recipesTable, runRecipe } from './recipes-run.ts';

const args = process.argv.slice(2);
const write = args.includes('--write');
const names = args.filter((arg) => !arg.startsWith('--'));
const unknown = names.filter((name) => !RECIPES.some((recipe) => recipe.name === name));
if (unknown.length > 0) {
  console.error(
    `recipes: unknown ${unknown.join(', ')}; expected ${RECIPES.map((r) => r.name).join(', ')}`,
  );
  process.exit(2);
}
const chosen = names.length > 0 ? RECIPES.filter((r) => names.includes(r.name)) : RECIPES;

const started = Date.now();
const runs: RecipeRun[] = new Array(chosen.length);
let next = 0;
// Two at a time: most of a recipe is waiting (boots, warm-ups), and each has ports of its own.
await Promise.all(
  [0, 1].map(async () => {
    for (let i = next++; i < chosen.length; i = next++) {
      const recipe = chosen[i] as (typeof chosen)[number];
      const run = await runRecipe(recipe);
      runs[i] = run;
      console.error(
        run.status === 'not-run'
          ? `${recipe.name}: not run, missing ${run.missing.join(', ')}`
          : `${recipe.name}: exit ${run.exitCode}${run.exitCode === 0 ? '' : ` (kept in ${run.folder})\n${run.output}`}`,
      );
    }
  }),
);

const table = recipesTable(runs);
const when = `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.type()} ${os.release()}, Node.js ${process.version}, in ${Math.round((Date.now() - started) / 1000)} s.`;
console.log(`${table}\n\n${when}`);

if (write) {
  const doc = fileURLToPath(new URL('../docs/recipes.md', import.meta.url));
  const text = readFileSync(doc, 'utf8');
  const [start, end] = ['<!-- recipes:start -->', '<!-- recipes:end -->'];
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    console.error(`recipes: ${path.relative(process.cwd(), doc)} has no ${start} … ${end}`);
    process.exit(2);
  }
  writeFileSync(
    doc,
    `${text.slice(0, from + start.length)}\n${table}\n\n${when}\n${text.slice(to)}`,
  );
  console.error(`recipes: wrote the table into ${path.relative(process.cwd(), doc)}`);
}
process.exit(runs.some((run) => run.status === 'ran' && run.exitCode !== 0) ? 1 : 0);
