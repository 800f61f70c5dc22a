import { describe, it } from 'vitest';
import { checkRecipe } from './recipe-expectations.ts';

/** The Node.js recipes of examples/recipes/, run as `npm run recipes` runs them (docs/recipes.md). */
describe('the Node.js recipes, against real servers', () => {
  it('node-graceful: a server that exits at SIGTERM cuts what it serves; one that drains, nothing', async () => {
    await checkRecipe('node-graceful', {
      'exits-at-sigterm': { broken: true, failedAs: 'http5xx', finding: 'in-flight-cut' },
      graceful: { fixed: true },
    });
  }, 240_000);

  it('node-cluster: every worker stopped at once refuses connections; one at a time, none', async () => {
    await checkRecipe('node-cluster', {
      'restart-all': { broken: true, failedAs: 'refused', finding: 'nothing-up' },
      'one-by-one': { fixed: true },
    });
  }, 240_000);

  it('pm2: restart refuses connections; reload, none', async () => {
    await checkRecipe('pm2', {
      restart: { broken: true, failedAs: 'refused', finding: 'nothing-up' },
      reload: { fixed: true },
    });
  }, 240_000);
});
