import { describe, it } from 'vitest';
import { checkRecipe } from './recipe-expectations.ts';

/** The Python and Ruby app-server recipes of examples/recipes/ (docs/recipes.md). */
describe('the app-server recipes, against real gunicorn, puma and unicorn', () => {
  it('gunicorn: a restart refuses connections, HUP makes users wait for the app to load, USR2 neither', async () => {
    await checkRecipe('gunicorn', {
      restart: { broken: true, failedAs: 'refused', finding: 'nothing-up' },
      // The old workers are stopped before the new ones have loaded the app (a 1 s sleep): the
      // requests queue on the socket meanwhile.
      hup: { broken: true, waitedOverMs: 500, finding: 'nothing-up' },
      usr2: { fixed: true },
    });
  }, 240_000);

  it('puma: a restart refuses connections; a phased restart, none', async () => {
    await checkRecipe('puma', {
      restart: { broken: true, failedAs: 'refused', finding: 'nothing-up' },
      phased: { fixed: true },
    });
  }, 240_000);

  it('unicorn: a restart refuses connections; USR2 and QUIT of the old master, none', async () => {
    await checkRecipe('unicorn', {
      restart: { broken: true, failedAs: 'refused', finding: 'nothing-up' },
      usr2: { fixed: true },
    });
  }, 240_000);
});
