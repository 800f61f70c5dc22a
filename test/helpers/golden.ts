import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Compares `actual` with the golden file; UPDATE_GOLDEN=1 writes it instead (then review the diff),
 * unless the file is an input that must never be rewritten (`update: false`).
 */
export function expectGolden(golden: string, actual: string, options = { update: true }): void {
  if (process.env.UPDATE_GOLDEN === '1' && options.update) writeFileSync(golden, actual);
  expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual, golden).toBe(readFileSync(golden, 'utf8'));
}
