import { describe, it } from 'vitest';
import { checkRecipe } from './recipe-expectations.ts';

/** The proxy recipes of examples/recipes/, against real nginx, haproxy and Caddy (docs/recipes.md). */
describe('the proxy recipes, against real proxies', () => {
  it('nginx: stopped and started refuses connections; reloaded, and the old backend stopped once nginx obeys, none', async () => {
    await checkRecipe('nginx', {
      restart: { broken: true, failedAs: 'refused', finding: 'nothing-up' },
      // Its burst of 502s lasts as long as nginx takes to obey the reload: none on a fast moment.
      'reload-nowait': { racy: true, failedAs: 'http5xx' },
      reload: { fixed: true },
    });
  }, 240_000);

  it('haproxy: restarted refuses connections, a stopped backend makes users wait; reloaded or drained, neither', async () => {
    await checkRecipe('haproxy', {
      restart: { broken: true, failedAs: 'refused', finding: 'nothing-up' },
      reload: { fixed: true },
      // haproxy retries its connections to the stopped backend a second apart: users wait.
      'stop-backend': { broken: true, waitedOverMs: 1000 },
      'drain-backend': { fixed: true },
    });
  }, 240_000);

  it('caddy: stopped and started refuses connections; reloaded, none', async () => {
    await checkRecipe('caddy', {
      restart: { broken: true, failedAs: 'refused', finding: 'nothing-up' },
      reload: { fixed: true },
    });
  }, 240_000);
});
