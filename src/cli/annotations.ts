import type { GateResult } from '../results/run.ts';
import { gateMiss } from '../view/table.ts';

/**
 * GitHub Actions workflow commands for the gates that failed, one `::error` line each: the runner
 * shows them on the job, the pull request's checks and the workflow run's page. Written exactly
 * when `GITHUB_ACTIONS` is "true" (the runner sets it) and a judged gate failed.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
 */
export function gateAnnotations(gates: readonly GateResult[], env: NodeJS.ProcessEnv): string[] {
  if (env.GITHUB_ACTIONS !== 'true') return [];
  return gates
    .filter((gate) => gate.evaluated && !gate.passed)
    .map((gate) => {
      const title = `deploy-bench gate failed: ${gate.expression}`;
      const miss = gateMiss(gate) ?? gate.problem ?? 'no measured value';
      return `::error title=${escapeProperty(title)}::${escapeData(`${gate.expression}: ${miss} (${gate.basis})`)}`;
    });
}

/** As @actions/core escapes a command's message: its end of line and `%` would end or alter it. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A property's value also ends at `,` and `:`. */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
