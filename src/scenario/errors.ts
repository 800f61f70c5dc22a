import { EXIT, ToolError } from '../errors/tool-error.ts';
import { showControls } from '../text/escape.ts';

/** One problem in a scenario file, located for a human: `file:line:column: field: what was expected`. */
export interface ScenarioProblem {
  file: string;
  line?: number;
  column?: number;
  field?: string;
  message: string;
}

export function formatProblem(problem: ScenarioProblem): string {
  const where = [problem.file, problem.line, problem.column]
    .filter((p) => p !== undefined)
    .join(':');
  // A value quoted in the message may hold a line break: one problem stays one line.
  return showControls(`${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`);
}

/** Bad input: the CLI prints one line per problem and exits with the bad-input code. */
export class ScenarioError extends ToolError {
  readonly exitCode = EXIT.badInput;
  constructor(readonly problems: ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }

  override explain(): string {
    return this.message;
  }
}
