import path from 'node:path';
import {
  type Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import type { z } from 'zod';
import { readBounded, UnreadableFile } from '../files/read-bounded.ts';
import { type Gate, GateSyntaxError, parseGate } from '../gates/parse.ts';
import { fieldName, inOurWords } from '../text/wording.ts';
import { ScenarioError, type ScenarioProblem } from './errors.ts';
import { readScenarioFiles, ScenarioFileError } from './files.ts';
import { interpolateEnv } from './interpolate.ts';
import { overrideSources, type ScenarioOverride } from './overrides.ts';
import { endpointNames, type Scenario, scenarioSchema } from './schema.ts';
import { closest, keysAt } from './suggest.ts';

/**
 * Environment variables, as `process.env` holds them; spelt out rather than Node's own type so that
 * the package's declarations need no Node types.
 */
export type Environment = Record<string, string | undefined>;

export interface LoadedScenario {
  scenario: Scenario;
  /** The scenario's `gates:`, parsed. */
  gates: Gate[];
  /** The file as given, for messages. */
  file: string;
  /** Folder that relative paths in the scenario resolve from. */
  dir: string;
  /** The environment the scenario was read with: its commands and app processes run with it. */
  env: Environment;
  /** `--set` and shorthands applied to the file, as typed (shown in the reports). */
  overrides?: string[];
}

/** Reads, interpolates and validates a scenario file; throws ScenarioError with every problem located. */
export async function loadScenarioFile(
  file: string,
  env: Environment = process.env,
  overrides: readonly ScenarioOverride[] = [],
): Promise<LoadedScenario> {
  const text = await readScenarioText(file);
  return loadScenarioText(text, file, path.dirname(path.resolve(file)), env, overrides);
}

/**
 * A scenario's text, as if read from `file` (the name its problems are told with); relative paths in
 * it resolve from `dir`. `bench watch` builds one from its command line this way.
 */
export async function loadScenarioText(
  text: string,
  file: string,
  dir: string,
  env: Environment,
  overrides: readonly ScenarioOverride[] = [],
): Promise<LoadedScenario> {
  const { scenario, gates, locate } = parseScenarioWithGates(text, file, env, overrides);
  // Read now for the error's line; each trial reads them again (runs are long, files may change).
  try {
    await readScenarioFiles(scenario, dir);
  } catch (error) {
    if (!(error instanceof ScenarioFileError)) throw error;
    throw new ScenarioError([
      { ...locate(error.field), field: fieldName(error.field), message: error.message },
    ]);
  }
  const shown = overrideSources(overrides);
  return { scenario, gates, file, dir, env, ...(shown.length > 0 ? { overrides: shown } : {}) };
}

/** A scenario is a page of YAML: anything far larger is a mistake, and would take minutes to read. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/** The file's text: a regular file (a FIFO would wait forever), not too large, valid UTF-8. */
async function readScenarioText(file: string): Promise<string> {
  const fail = (message: string, line?: number): never => {
    throw new ScenarioError([{ file, ...(line ? { line } : {}), message }]);
  };
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, MAX_SCENARIO_BYTES);
  } catch (error) {
    if (!(error instanceof UnreadableFile)) throw error;
    return fail(`cannot read the scenario: ${error.message}`);
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Find the first bad byte for its line: decode growing prefixes is slow, so look for it directly.
    const bad = firstInvalidUtf8(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, bad - 1) + 1;
    const line = bytes.subarray(0, lineStart).filter((b) => b === 0x0a).length + 1;
    const column = new TextDecoder().decode(bytes.subarray(lineStart, bad)).length + 1;
    throw new ScenarioError([
      { file, line, column, message: `not valid UTF-8 (byte ${bad}); save the file as UTF-8` },
    ]);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const length =
      b < 0x80
        ? 1
        : b >= 0xc2 && b < 0xe0
          ? 2
          : b >= 0xe0 && b < 0xf0
            ? 3
            : b >= 0xf0 && b < 0xf5
              ? 4
              : 0;
    if (length === 0) return i;
    const sequence = bytes.subarray(i, i + length);
    if (sequence.length < length) return i;
    try {
      strictUtf8.decode(sequence);
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}

export function parseScenario(text: string, file: string, env: Environment): Scenario {
  return parseScenarioWithGates(text, file, env).scenario;
}

function parseScenarioWithGates(
  text: string,
  file: string,
  env: Environment,
  overrides: readonly ScenarioOverride[] = [],
): {
  scenario: Scenario;
  gates: Gate[];
  /** Where a field's value is in the file. */
  locate: (keys: (string | number)[]) => Omit<ScenarioProblem, 'message'>;
} {
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
      {
        ...at(syntaxError.pos[0]),
        // The parser recurses: a file nested thousands deep exhausts its stack, not its grammar.
        message: /call stack/i.test(syntaxError.message)
          ? 'YAML: nested too deeply'
          : syntaxError.code === 'MULTIPLE_DOCS'
            ? 'a scenario is one YAML document; this line starts another (remove the `---` or split the file)'
            : `YAML syntax: ${syntaxError.message.split('\n')[0]}`,
      },
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

  // Before the variables: a field an override replaces (a watch's variants) needs none of its own.
  const made = applyOverrides(document, overrides, file);
  const variableProblems = interpolateEnv(document, env);
  if (variableProblems.length > 0) {
    throw new ScenarioError(
      variableProblems.map(({ node, message }) => ({ ...at(node.range?.[0] ?? 0), message })),
    );
  }

  const result = scenarioSchema.safeParse(toPlainValue(document, at), { error: inOurWords });
  if (!result.success) {
    throw new ScenarioError(
      result.error.issues.map(
        (issue) =>
          overrideProblem(issue, overrides, made, (keys) => !document.hasIn(keys)) ??
          locateIssue(issue, document, at),
      ),
    );
  }
  // The schema's refinements checked each variant's strategy or command: the type says so now.
  const scenario = result.data as Scenario;
  const variants = scenario.variants.map((v) => v.name);
  const gates: Gate[] = [];
  const problems: ScenarioProblem[] = [];
  scenario.gates.forEach((source, index) => {
    try {
      gates.push(parseGate(source, variants, endpointNames(scenario)));
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
  const locate = (keys: (string | number)[]) => {
    const node = nodeAt(document, keys);
    return node?.range ? at(node.range[0]) : { file };
  };
  return { scenario, gates, locate };
}

/**
 * The document as plain values. An alias must name an anchor set before it, and aliases may not
 * multiply the document beyond what a scenario needs (a "billion laughs" file).
 */
function toPlainValue(
  document: Document,
  at: (offset: number) => Omit<ScenarioProblem, 'message'>,
): unknown {
  const problems: ScenarioProblem[] = [];
  let firstAlias: Node | undefined;
  visit(document, {
    Alias(_key, alias) {
      firstAlias ??= alias;
      if (alias.resolve(document) === undefined)
        problems.push({
          ...at(alias.range?.[0] ?? 0),
          message: `YAML: the alias *${alias.source} names no anchor (&${alias.source}) set before it`,
        });
    },
  });
  if (problems.length > 0) throw new ScenarioError(problems);
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION }) ?? {};
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new ScenarioError([
      {
        ...at(firstAlias?.range?.[0] ?? 0),
        message: `YAML: the aliases expand to more than ${MAX_ALIAS_EXPANSION} times their anchors; write the values out`,
      },
    ]);
  }
}

/**
 * `--set` and shorthands, written into the document before it is validated like the rest of it.
 * Returns, per override, the outermost field it made that the file did not have (`endpoints[1]`
 * for `--set load.endpoints[1].weight=2` on one endpoint): a problem inside it is the override's.
 */
function applyOverrides(
  document: Document,
  overrides: readonly ScenarioOverride[],
  file: string,
): Map<ScenarioOverride, (string | number)[]> {
  const made = new Map<ScenarioOverride, (string | number)[]>();
  for (const override of overrides) {
    const missing = override.path.findIndex(
      (_, depth) => !document.hasIn(override.path.slice(0, depth + 1)),
    );
    if (missing >= 0 && !('remove' in override))
      made.set(override, override.path.slice(0, missing + 1));
    // A list grows by one at its end at most: `endpoints[5]` on two would leave a gap of nulls.
    override.path.forEach((key, depth) => {
      if (typeof key !== 'number') return;
      const list = document.getIn(override.path.slice(0, depth), true);
      const length = isSeq(list) ? list.items.length : 0;
      if (key > length)
        throw new ScenarioError([
          {
            file: `--set ${override.source}`,
            field: fieldName(override.path.slice(0, depth)),
            message: `has ${length} item${length === 1 ? '' : 's'}; expected an index up to ${length} (${length} adds one)`,
          },
        ]);
    });
    try {
      if ('remove' in override) document.deleteIn(override.path);
      else document.setIn(override.path, document.createNode(override.value));
    } catch {
      throw new ScenarioError([
        {
          file: `--set ${override.source}`,
          field: fieldName(override.path),
          message: `cannot be set: ${file} has no mapping or list there`,
        },
      ]);
    }
  }
  return made;
}

/** A problem in a field an override set: told as the command line's, not at the file's line. */
function overrideProblem(
  issue: z.core.$ZodIssue,
  overrides: readonly ScenarioOverride[],
  made: ReadonlyMap<ScenarioOverride, readonly (string | number)[]>,
  /** Whether the document has nothing at these keys: such a field is told as missing. */
  missing: (keys: (string | number)[]) => boolean,
): ScenarioProblem | undefined {
  const issuePath = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  const full = issue.code === 'unrecognized_keys' ? [...issuePath, issue.keys[0] ?? ''] : issuePath;
  // The override that set this field or one inside it, or that made a field around it the file
  // did not have (`--set nope.x=1`, `--set load.endpoints[1].weight=2` on one endpoint).
  const within = (outer: readonly unknown[], inner: readonly unknown[]) =>
    outer.length > 0 && outer.every((key, i) => inner[i] === key);
  const override = [...overrides]
    .reverse()
    .find((o) => !('remove' in o) && (within(o.path, full) || within(made.get(o) ?? [], full)));
  if (!override) return undefined;
  return {
    // A flag or a command's argument is told as typed; a `--set` as what was set.
    file: /^(--|bench )/.test(override.source) ? override.source : `--set ${override.source}`,
    field: fieldName(full),
    message:
      issue.code === 'unrecognized_keys'
        ? 'is not a field of the scenario'
        : missing(full)
          ? `missing (${issue.message})`
          : issue.message,
  };
}

/** The yaml library's default: enough for anchors shared by a few variants, far below a bomb. */
const MAX_ALIAS_EXPANSION = 100;

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
        message: missingField
          ? `missing (${issue.message.replace(/, got .*$/, '')})`
          : issue.message,
      };
    }
  }
  return { file: at(0).file, field: fieldName(issuePath), message: issue.message };
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
