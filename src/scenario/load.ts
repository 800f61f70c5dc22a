import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type Document,
  isMap,
  isNode,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { z } from 'zod';
import { type Gate, GateSyntaxError, parseGate } from '../gates/parse.ts';
import { ScenarioError, type ScenarioProblem } from './errors.ts';
import { interpolateEnv } from './interpolate.ts';
import { type Scenario, scenarioSchema } from './schema.ts';
import { closest, keysAt } from './suggest.ts';

export interface LoadedScenario {
  scenario: Scenario;
  /** The scenario's `gates:`, parsed. */
  gates: Gate[];
  /** The file as given, for messages. */
  file: string;
  /** Folder that relative paths in the scenario resolve from. */
  dir: string;
}

/** Reads, interpolates and validates a scenario file; throws ScenarioError with every problem located. */
export async function loadScenarioFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ScenarioError([{ file, message: `cannot read the scenario: ${reason}` }]);
  }
  const { scenario, gates } = parseScenarioWithGates(text, file, env);
  return { scenario, gates, file, dir: path.dirname(path.resolve(file)) };
}

export function parseScenario(text: string, file: string, env: NodeJS.ProcessEnv): Scenario {
  return parseScenarioWithGates(text, file, env).scenario;
}

function parseScenarioWithGates(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
): { scenario: Scenario; gates: Gate[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };

  // After the first syntax error the parser's further complaints are mostly its echo.
  const [syntaxError] = document.errors;
  if (syntaxError) {
    throw new ScenarioError([
      { ...at(syntaxError.pos[0]), message: `YAML syntax: ${syntaxError.message.split('\n')[0]}` },
    ]);
  }

  if (!isMap(document.contents)) {
    const node = document.contents;
    const where = node?.range ? at(node.range[0]) : { file };
    const what = node ? 'expected a mapping' : 'the file is empty; expected a mapping';
    throw new ScenarioError([
      { ...where, message: `${what} with name, target, load and variants` },
    ]);
  }

  const missing = interpolateEnv(document, env);
  if (missing.length > 0) {
    throw new ScenarioError(
      missing.map(({ name, node }) => ({
        ...at(node.range?.[0] ?? 0),
        message: `environment variable ${name} is not set (write \${${name}:-default} for a default)`,
      })),
    );
  }

  const result = scenarioSchema.safeParse(document.toJS() ?? {});
  if (!result.success) {
    throw new ScenarioError(result.error.issues.map((issue) => locateIssue(issue, document, at)));
  }
  const scenario = result.data;
  const variants = scenario.variants.map((v) => v.name);
  const gates: Gate[] = [];
  const problems: ScenarioProblem[] = [];
  scenario.gates.forEach((source, index) => {
    try {
      gates.push(parseGate(source, variants));
    } catch (error) {
      if (!(error instanceof GateSyntaxError)) throw error;
      const node = document.getIn(['gates', index], true);
      const start = isScalar(node) ? (node.range?.[0] ?? 0) : 0;
      const quoted =
        isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
      problems.push({
        ...at(start + (quoted ? 1 : 0) + error.column - 1),
        field: `gates[${index}]`,
        message: error.message,
      });
    }
  });
  if (problems.length > 0) throw new ScenarioError(problems);
  return { scenario, gates };
}

function locateIssue(
  issue: z.core.$ZodIssue,
  document: Document,
  at: (offset: number) => Omit<ScenarioProblem, 'message'>,
): ScenarioProblem {
  const issuePath = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));

  if (issue.code === 'unrecognized_keys') {
    const parent = nodeAt(document, issuePath);
    const key = issue.keys[0] ?? '';
    const keyNode = isMap(parent)
      ? parent.items.find((pair) => keyName(pair.key) === key)?.key
      : undefined;
    const offset = isNode(keyNode) ? (keyNode.range?.[0] ?? 0) : (parent?.range?.[0] ?? 0);
    const plural = issue.keys.length > 1 ? 's' : '';
    const known = keysAt(scenarioSchema, issuePath, document.toJS()).filter((k) => k !== 'model');
    const guess = closest(key, known);
    const hint = guess
      ? `; did you mean "${guess}"?`
      : known.length > 0
        ? `; expected one of ${known.join(', ')}`
        : '';
    return {
      ...at(offset),
      field: fieldName([...issuePath, key]),
      message: `unknown key${plural} ${issue.keys.map((k) => `"${k}"`).join(', ')}${hint}`,
    };
  }

  // A missing field has no node: point at the nearest enclosing one that exists.
  for (let depth = issuePath.length; depth >= 0; depth--) {
    const node = nodeAt(document, issuePath.slice(0, depth));
    if (node?.range) {
      const missingField = depth < issuePath.length && issue.code === 'invalid_type';
      return {
        ...at(node.range[0]),
        field: fieldName(issuePath),
        message: missingField ? `missing (${describe(issue)})` : describe(issue),
      };
    }
  }
  return { file: at(0).file, field: fieldName(issuePath), message: describe(issue) };
}

function nodeAt(document: Document, keys: (string | number)[]): Node | undefined {
  if (keys.length === 0) return document.contents ?? undefined;
  const found = document.getIn(keys, true);
  return isNode(found) ? found : undefined;
}

function keyName(key: unknown): string | undefined {
  if (isNode(key) && 'value' in key) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function fieldName(keys: (string | number)[]): string {
  return keys
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`))
    .join('');
}

/** Zod's default wording names JavaScript types; say it in the scenario's terms. */
function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const names: Record<string, string> = {
      object: 'a mapping',
      array: 'a list',
      int: 'a whole number',
    };
    const expected = names[issue.expected] ?? `a ${issue.expected}`;
    return issue.message.startsWith('Invalid input') ? `expected ${expected}` : issue.message;
  }
  if (issue.code === 'too_small' && issue.origin === 'number') {
    return `expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
  }
  if (issue.code === 'too_big' && issue.origin === 'number') {
    return `expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
  }
  if (issue.code === 'invalid_value') {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return issue.message;
}
