import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECIPE_NAMES, RECIPES_FOLDER, recipeFolder } from '../../src/init/recipes.ts';

/**
 * A recipe is copied alone (`bench init --recipe`), so files several recipes need are repeated in
 * each (docs/decisions/0012-recipes-stand-alone.md); these checks keep the copies the same.
 */
const filesOf = (recipe: string) => readdirSync(recipeFolder(recipe));
const read = (recipe: string, file: string) =>
  readFileSync(path.join(recipeFolder(recipe), file), 'utf8');

/** A shell file's functions, by name: `name() {` to the `}` that closes it at the line's start. */
function shellFunctions(text: string): Map<string, string> {
  return new Map(
    [...text.matchAll(/^(\w+)\(\) \{\n[\s\S]*?^\}$/gm)].map((m) => [m[1] as string, m[0]]),
  );
}

describe('the recipes, as files', () => {
  it('are the registry: a folder for each recipe and a recipe for each folder', () => {
    const folders = readdirSync(RECIPES_FOLDER, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual([...RECIPE_NAMES].sort());
    for (const recipe of RECIPE_NAMES)
      expect(filesOf(recipe), recipe).toEqual(
        expect.arrayContaining(['README.md', 'scenario.yaml']),
      );
  });

  it("use one default port each, the scenario's, wherever RECIPE_PORT may be unset", () => {
    for (const recipe of RECIPE_NAMES) {
      const texts = filesOf(recipe)
        .filter((file) => file !== '.gitignore')
        .map((file) => [file, read(recipe, file)] as const);
      const defaults = new Set(
        texts.flatMap(([, text]) =>
          [...text.matchAll(/RECIPE_PORT(?::-|\)? \?\? '?|", ")(\d+)|\((\d+) by default\)/g)].map(
            (m) => m[1] ?? m[2],
          ),
        ),
      );
      if (recipe === 'node-graceful') {
        expect(defaults.size, recipe).toBe(0);
        continue;
      }
      expect([...defaults], recipe).toEqual([
        /\$\{RECIPE_PORT:-(\d+)\}/.exec(read(recipe, 'scenario.yaml'))?.[1],
      ]);
      // A script that starts a backend (backend.mjs adds to the port) or asks the front sets it.
      for (const [file, text] of texts)
        if (/^\s*\.\/backend\.sh start|^\s*wait_serving "/m.test(text))
          expect(text, `${recipe}/${file}`).toMatch(
            /^export RECIPE_PORT="\$\{RECIPE_PORT:-\d+\}"$/m,
          );
    }
  });

  it('repeat shared files word for word', () => {
    for (const shared of ['backend.mjs', 'backend.sh', 'config.ru']) {
      const copies = RECIPE_NAMES.filter((r) => filesOf(r).includes(shared));
      expect(copies.length, shared).toBeGreaterThan(1);
      for (const recipe of copies)
        expect(read(recipe, shared), `${recipe}/${shared}`).toBe(read(copies[0] as string, shared));
    }
  });

  it('define each shell helper of wait-for.sh the same way wherever it is defined', () => {
    const definitions = new Map<string, string>();
    for (const recipe of RECIPE_NAMES.filter((r) => filesOf(r).includes('wait-for.sh')))
      for (const [name, body] of shellFunctions(read(recipe, 'wait-for.sh'))) {
        expect(body, `${recipe}/wait-for.sh: ${name}`).toBe(definitions.get(name) ?? body);
        definitions.set(name, body);
      }
    expect([...definitions.keys()].sort()).toEqual([
      'wait_for',
      'wait_gone',
      'wait_ready',
      'wait_serving',
    ]);
  });
});
