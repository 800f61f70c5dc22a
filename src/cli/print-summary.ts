import type { AnalysedRun } from '../analysis/analyse.ts';
import { outcomeLine } from '../analysis/outcome.ts';
import { renderTerminal } from '../export/terminal.ts';
import { forTerminal } from '../text/escape.ts';

/**
 * The terminal summary, then where the files went, then — for a run that did not complete — how it
 * ended, as the very last line, where an operator's eye and a CI log's tail land.
 */
export function printSummary(
  run: AnalysedRun,
  whereLine: string,
  out: NodeJS.WritableStream,
): void {
  out.write(renderTerminal(run));
  out.write(`\n${forTerminal(whereLine)}\n`);
  const outcome = outcomeLine(run.outcome);
  const last = outcome && forTerminal(outcome);
  if (!last) return;
  // A reason of several lines (a process's last stderr) goes above, set apart from the summary, so
  // that the verdict stays last: "…; the last lines of its stderr:" then reads "… are above".
  const [headline = '', ...details] = last.split('\n');
  if (details.length > 0)
    out.write(`\n${details.join('\n')}\n${headline.replace(/:\s*$/, '')} are above\n`);
  else out.write(`${last}\n`);
}
