import { awaitsHistory } from '../gates/evaluate.ts';
import type { GateResult } from '../results/run.ts';
import { gateMiss } from '../view/table.ts';

/**
 * GitHub Actions workflow commands for the gates that failed, one `::error` line each: the runner
 * shows them on the job, the pull request's checks and the workflow run's page. Written exactly
 * when `GITHUB_ACTIONS` is "true" (the runner sets it) and a judged gate failed; a budget waiting
 * for history is a `::warning`.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
 */
export function gateAnnotations(gates: readonly GateResult[], env: NodeJS.ProcessEnv): string[] {
  if (env.GITHUB_ACTIONS !== 'true') return [];
  const failed = gates
    .filter((gate) => gate.evaluated && !gate.passed)
    .map((gate) => {
      const title = `deploy-bench gate failed: ${gate.expression}`;
      const miss = gateMiss(gate) ?? gate.problem ?? 'no measured value';
      return `::error title=${escapeProperty(title)}::${escapeData(`${gate.expression}: ${miss} (${gate.basis})`)}`;
    });
  // A budget that waits for history fails nothing, and would go unseen on a green job.
  const waiting = gates.filter(awaitsHistory).map((gate) => {
    const title = `deploy-bench gate not judged: ${gate.expression}`;
    return `::warning title=${escapeProperty(title)}::${escapeData(`${gate.expression}: ${gate.problem}`)}`;
  });
  return [...failed, ...waiting];
}

/** As @actions/core escapes a command's message: its end of line and `%` would end or alter it. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A property's value also ends at `,` and `:`. */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
