import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recipesTable, waysOf } from '../../bench/recipes-run.ts';
import { RECIPES } from '../../src/init/recipes.ts';
import { REPO } from '../helpers/scenarios.ts';

/** The golden run: stop-start's two trials failed 3 of 705 and 5 of 707 (refused), waited 4.0 and 4.4 s. */
const golden = JSON.parse(
  readFileSync(path.join(REPO, 'test/fixtures/golden/results.json'), 'utf8'),
);

describe("npm run recipes' figures", () => {
  it('takes failures from one trial, the one with the most, and the longest waits of any', () => {
    expect(waysOf(golden)).toEqual([
      {
        name: 'stop-start',
        description: '',
        requests: 707,
        failed: 5,
        failedByKind: { refused: 5 },
        longestUserWaitMs: 4400,
        longestTransactionMs: 4400,
        findings: ['nothing-up'],
      },
      {
        name: 'preboot',
        description: '',
        requests: 702,
        failed: 0,
        failedByKind: {},
        longestUserWaitMs: 120,
        longestTransactionMs: 120,
        findings: [],
      },
    ]);
  });

  it('writes a row per way, a failed run and a recipe not run as rows of their own', () => {
    const [recipe, other] = RECIPES as [(typeof RECIPES)[number], (typeof RECIPES)[number]];
    const table = recipesTable([
      {
        recipe,
        status: 'ran',
        exitCode: 3,
        failure: 'b: hook beforeVariant (./start.sh) exited with code 1',
        ways: waysOf(golden),
        output: '',
        folder: '',
      },
      { recipe: other, status: 'not-run', missing: ['pm2 (npm install pm2)'] },
    ]);
    expect(table.split('\n').slice(2)).toEqual([
      `| ${recipe.name} | failed: b: hook beforeVariant (./start.sh) exited with code 1 | | | | |`,
      `| ${recipe.name} | stop-start | 5 of 707 (refused 5) | 4.40 s | 4.40 s | nothing-up |`,
      `| ${recipe.name} | preboot | 0 of 702 | 0.12 s | 0.12 s | — |`,
      `| ${other.name} | not run: install pm2 (npm install pm2) | | | | |`,
    ]);
  });
});
