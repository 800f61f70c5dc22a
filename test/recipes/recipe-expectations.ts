import { expect } from 'vitest';
import { RECIPES, type RecipeRun, runRecipe, type WayFigures } from '../../bench/recipes-run.ts';

/** What a way of a recipe must show, on any machine: counts and findings, never timings. */
export type WayExpectation =
  /** Users were hurt: failures of this kind (or, with `waitedOverMs`, a wait) and this finding. */
  | { broken: true; failedAs?: string; waitedOverMs?: number; finding?: string }
  /** Zero-downtime: no failed request and no fault finding. */
  | { fixed: true }
  /**
   * Measured and shown, but whether it hurts depends on the machine's speed that moment: only
   * the kind of failure, when one comes, is checked.
   */
  | { racy: true; failedAs: string };

/** Runs the recipe as `npm run recipes` does and checks each of its ways. */
export async function checkRecipe(
  name: string,
  expected: Record<string, WayExpectation>,
): Promise<void> {
  const recipe = RECIPES.find((r) => r.name === name);
  if (!recipe) throw new Error(`no recipe ${name}`);
  const run: RecipeRun = await runRecipe(recipe);
  if (run.status === 'not-run')
    throw new Error(`${name} needs ${run.missing.join(', ')}: npm run test:prerequisites`);
  // Exit 0: the run finished and the recipe's own gates (its fixed ways fail nothing) held.
  expect(run.exitCode, `${run.failure ?? ''}\n${run.output}`).toBe(0);
  expect(run.ways.map((way) => way.name)).toEqual(Object.keys(expected));
  for (const way of run.ways) checkWay(way, expected[way.name] as WayExpectation);
}

function checkWay(way: WayFigures, expected: WayExpectation): void {
  const about = `${way.name}: ${JSON.stringify(way)}`;
  expect(way.requests, about).toBeGreaterThan(0);
  if ('fixed' in expected) {
    expect(way.failed, about).toBe(0);
    expect(
      way.findings.filter((id) => !id.startsWith('(')),
      about,
    ).toEqual([]);
  } else if ('racy' in expected) {
    expect(
      Object.keys(way.failedByKind).filter((kind) => kind !== expected.failedAs),
      about,
    ).toEqual([]);
  } else if ('broken' in expected) {
    if (expected.failedAs) expect(way.failedByKind[expected.failedAs], about).toBeGreaterThan(0);
    if (expected.waitedOverMs !== undefined)
      expect(way.longestUserWaitMs, about).toBeGreaterThan(expected.waitedOverMs);
    if (expected.finding) expect(way.findings, about).toContain(expected.finding);
  }
}
