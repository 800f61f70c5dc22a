// Prints how close deploy-bench's figures come to targets whose behaviour is known exactly.
//   npx tsx bench/accuracy.ts      (the same cases run as assertions in npm test)
import { ACCURACY_CASES, holds } from './accuracy-cases.ts';

const rows: string[][] = [['case', 'figure', 'expected', 'measured', 'error', 'allowed', '']];
for (const accuracyCase of ACCURACY_CASES) {
  for (const check of await accuracyCase.run()) {
    const error = check.measured - check.expected;
    const show = (v: number) => (check.unit === 'ms' ? `${v.toFixed(2)} ms` : String(v));
    rows.push([
      accuracyCase.name,
      check.name,
      show(check.expected),
      show(check.measured),
      show(error),
      `${check.atLeast ? '≥ −' : '± '}${show(check.tolerance)}${check.idleMachineOnly ? ' (idle machine)' : ''}`,
      holds(check) ? 'ok' : 'OUT',
    ]);
  }
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
