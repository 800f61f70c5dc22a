import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parse,
  type Scalar,
} from 'yaml';

/** A `${…}` that cannot be read, or a variable the scenario needs that is not set. */
export interface VariableProblem {
  /** Where the problem is: a value, or an alias. */
  node: Node;
  message: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

type Keys = readonly (string | number)[];

/**
 * Fields that `/bin/sh` runs (`#` any index, `*` any hook). Their `${NAME}` is left for the shell to
 * expand from the environment, never pasted into the text: a value like `main; rm -rf ~` stays one
 * word in `"$BRANCH"`, and a shell variable of the command's own (`for i in 1 2; do echo ${i};
 * done`) keeps working. A list `app.command` [program, arg, …] runs without a shell: its items are
 * substituted like any value.
 */
const APP_COMMAND = ['target', 'platform', 'app', 'command'];
const SHELL_FIELDS = [['variants', '#', 'command'], ['variants', '#', 'hooks', '*'], APP_COMMAND];

const fits = (key: string | number | undefined, pattern: string | undefined) =>
  pattern === '#'
    ? typeof key === 'number'
    : pattern === '*'
      ? typeof key === 'string'
      : key === pattern;

function isShellField(keys: Keys): boolean {
  return SHELL_FIELDS.some((f) => f.length === keys.length && f.every((p, i) => fits(keys[i], p)));
}

/** Whether a value at these keys is, or contains, a shell command. */
function mayHoldCommand(keys: Keys): boolean {
  return SHELL_FIELDS.some((f) => keys.length <= f.length && keys.every((k, i) => fits(k, f[i])));
}

/** Set by the embedded platform for each app process it starts (platform/app-process.ts). */
const PER_PROCESS: ReadonlySet<string> = new Set(['PORT', 'RELEASE']);

/** Variables a shell command may use without the environment having them. */
const SHELL_OWN = new Set([
  'IFS',
  'PPID',
  'PWD',
  'OLDPWD',
  'OPTARG',
  'OPTIND',
  'LINENO',
  'RANDOM',
  'SECONDS',
  'REPLY',
]);

/**
 * Reads `${NAME}` and `${NAME:-default}` in the document, in place, so that positions for error
 * messages stay those of the file. In most fields the value is substituted (a plain value is read
 * again as YAML, so `users: ${USERS}` becomes a number). In shell commands nothing is substituted:
 * the shell expands them, and a variable they name without a default must be set.
 */
export function interpolateEnv(document: Document, env: NodeJS.ProcessEnv): VariableProblem[] {
  // First, before anything is substituted: no alias may carry substituted text into a command.
  const aliasProblems = aliasesIntoCommands(document);
  if (aliasProblems.length > 0) return aliasProblems;
  const problems: VariableProblem[] = [];
  // The embedded platform starts the app with these set, beside its own `env:`.
  const namesIn = (env: unknown) => (isMap(env) ? env.items : []).map(keyOf);
  // A variant's `env` is set for its commands and hooks, and for the app in its trials: the app's
  // command may rely on what every variant sets.
  const variants = document.get('variants');
  const variantNames = (isSeq(variants) ? variants.items : []).map(
    (variant) => new Set(isMap(variant) ? namesIn(variant.get('env')) : []),
  );
  const setByEveryVariant = [...(variantNames[0] ?? [])].filter((name) =>
    variantNames.every((names) => names.has(name)),
  );
  const appNames = new Set([
    ...PER_PROCESS,
    ...namesIn(document.getIn(['target', 'platform', 'app', 'env'])),
    ...setByEveryVariant,
  ]);
  walk(document.contents, [], (node, keys) => {
    if (typeof node.value !== 'string' || !node.value.includes('$')) return;
    const report = (message: string) => {
      // One line per variable and value, however often the value names it.
      if (!problems.some((p) => p.node === node && p.message === message))
        problems.push({ node, message });
    };
    if (isShellField(keys)) {
      const own =
        keys[2] === 'app' ? appNames : (variantNames[keys[1] as number] ?? new Set<string>());
      checkShellVariables(node.value, env, own, report);
      return;
    }
    if (!node.value.includes('${')) return;
    // A list app.command's `${PORT}` and `${RELEASE}` are each process's own: filled in at its start.
    const perProcess = keys.length === 5 && APP_COMMAND.every((key, i) => keys[i] === key);
    const substituted = substitute(node.value, env, report, perProcess ? PER_PROCESS : new Set());
    node.value = node.type === 'PLAIN' ? readPlainScalar(substituted) : substituted;
  });
  return problems;
}

/**
 * An anchor is one node wherever its aliases are: one set in a value that is substituted
 * (`description: &d "echo ${BRANCH}"`) and aliased into a command (`command: *d`, or `<<: *x` in a
 * variant) would reach the shell with the value pasted in. Such an alias is refused when what it
 * brings holds a `$`; a command is then written where it is used.
 */
function aliasesIntoCommands(document: Document): VariableProblem[] {
  const problems: VariableProblem[] = [];
  const visitNode = (node: unknown, keys: (string | number)[]): void => {
    if (isAlias(node)) {
      const target = node.resolve(document);
      if (mayHoldCommand(keys) && holdsDollar(target, document, 0))
        problems.push({
          node,
          message: `the alias *${node.source} brings text with $ into a shell command; write the command out here (an anchor's \${…} is substituted where it is set)`,
        });
    } else if (isMap(node)) {
      for (const pair of node.items) {
        // A key that is an alias, or a merge key (`<<`, `!!merge <<`, YAML 1.1), makes a field's
        // name or contents come from elsewhere: what is a command would no longer be where it is
        // read. Neither is needed in a scenario; both are refused.
        if (isAlias(pair.key))
          problems.push({
            node: pair.key,
            message: `an alias (*${pair.key.source}) may not be a key: write the key out`,
          });
        else if (
          isScalar(pair.key) &&
          (pair.key.value === '<<' || typeof pair.key.value === 'symbol')
        )
          problems.push({
            node: pair.key,
            message: 'merge keys (<<) are not supported in scenarios: write the keys out',
          });
        visitNode(pair.value, [...keys, keyOf(pair)]);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) visitNode(item, [...keys, i]);
    }
  };
  visitNode(document.contents, []);
  return problems;
}

function holdsDollar(node: unknown, document: Document, depth: number): boolean {
  if (depth > 20) return true;
  if (isAlias(node)) return holdsDollar(node.resolve(document), document, depth + 1);
  if (isScalar(node)) return typeof node.value === 'string' && node.value.includes('$');
  if (isMap(node))
    return node.items.some(
      (pair) =>
        holdsDollar(pair.key, document, depth + 1) || holdsDollar(pair.value, document, depth + 1),
    );
  if (isSeq(node)) return node.items.some((item) => holdsDollar(item, document, depth + 1));
  return false;
}

function walk(
  node: unknown,
  keys: (string | number)[],
  visit: (scalar: Scalar, keys: (string | number)[]) => void,
): void {
  if (isScalar(node)) visit(node, keys);
  else if (isMap(node)) {
    for (const pair of node.items) walk(pair.value, [...keys, keyOf(pair)], visit);
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) walk(item, [...keys, i], visit);
  }
}

function keyOf(pair: { key: unknown }): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function lookup(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

const unset = (name: string) =>
  `environment variable ${name} is not set (write \${${name}:-default} for a default)`;

/**
 * `${NAME}` → its value, `${NAME:-default}` → its value or the default (itself read the same way),
 * `$${` → a literal `${`.
 */
function substitute(
  text: string,
  env: NodeJS.ProcessEnv,
  report: (message: string) => void,
  keep: ReadonlySet<string>,
): string {
  let out = '';
  let at = 0;
  for (;;) {
    const start = text.indexOf('${', at);
    if (start < 0) return out + text.slice(at);
    // `$${` is a literal `${` (a request body's template, say): the first `$` escapes the second.
    if (text[start - 1] === '$' && start - 1 >= at) {
      out += `${text.slice(at, start - 1)}\${`;
      at = start + 2;
      continue;
    }
    out += text.slice(at, start);
    const name = NAME.exec(text.slice(start + 2))?.[0];
    const after = start + 2 + (name?.length ?? 0);
    if (!name) {
      report(
        `"${text.slice(start, start + 12)}": expected a variable name after \${, as in \${PORT}`,
      );
      return out;
    }
    if (text[after] === '}' && keep.has(name)) {
      out += `\${${name}}`;
      at = after + 1;
      continue;
    }
    if (text[after] === '}') {
      const value = lookup(env, name);
      if (value === undefined || value === '') report(unset(name));
      out += value ?? '';
      at = after + 1;
      continue;
    }
    if (!text.startsWith(':-', after)) {
      report(
        `"\${${name}${text.slice(after, after + 4)}": expected } or :-default after \${${name}`,
      );
      return out;
    }
    const end = closingBrace(text, after + 2);
    if (end < 0) {
      report(`"\${${name}:-": no closing } for \${${name}`);
      return out;
    }
    const value = lookup(env, name);
    out +=
      value !== undefined && value !== ''
        ? value
        : substitute(text.slice(after + 2, end), env, report, keep);
    at = end + 1;
  }
}

/** The `}` that closes a `${` whose text starts at `from`, counting the `${…}` nested in it. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/**
 * Finds the variables a shell command needs from its environment: `$NAME` and `${NAME}` in the
 * shell's quoting (not inside single quotes, a comment or a quoted here-document's body), without a
 * default (`${NAME:-x}`, whose operand is read when it would be used), not only tested for
 * (`[ -n "$NAME" ]`) and not set by the command itself (`NAME=`, `for NAME in`, `read NAME`,
 * `local NAME`… at the start of a command). It is a reading of common shell, not a shell: when in
 * doubt it asks for the variable, and `${NAME:-}` says a variable may be unset.
 */
function checkShellVariables(
  command: string,
  env: NodeJS.ProcessEnv,
  own: ReadonlySet<string>,
  report: (message: string) => void,
): void {
  const setByCommand = new Map<string, boolean>();
  const isOwn = (name: string) => {
    if (own.has(name) || SHELL_OWN.has(name)) return true;
    if (!setByCommand.has(name)) setByCommand.set(name, assignedIn(command, name));
    return setByCommand.get(name) === true;
  };
  const isSet = (name: string, nonEmpty: boolean) => {
    const value = lookup(env, name);
    return isOwn(name) || (value !== undefined && (!nonEmpty || value !== ''));
  };
  const needs = (name: string, text: string, at: number) => {
    if (lookup(env, name) !== undefined || isOwn(name)) return;
    // `[ -n "$X" ]`, `test -z "${X}"`: the command asks whether it is set.
    if (/(?:\[\[?|\btest)\s+(?:!\s+)?-[nz]\s+"?$/.test(text.slice(Math.max(0, at - 24), at)))
      return;
    report(unset(name));
  };
  const scan = (text: string): void => {
    let inDouble = false;
    /** Quoted here-documents whose bodies start at the next line: the shell expands nothing there. */
    const bodies: string[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      const wordStart =
        i === 0 || (/[\s;&|()]/.test(text[i - 1] as string) && text[i - 2] !== '\\');
      if (c === '\\') i++;
      else if (c === '\n' && bodies.length > 0) i = afterBodies(text, i, bodies.splice(0));
      else if (c === '"') inDouble = !inDouble;
      else if (!inDouble && c === "'") {
        const close = text.indexOf("'", i + 1);
        i = close < 0 ? text.length : close;
      } else if (!inDouble && c === '#' && wordStart) {
        const close = text.indexOf('\n', i);
        i = (close < 0 ? text.length : close) - 1;
      } else if (!inDouble && text.startsWith('<<', i) && text[i + 2] !== '<') {
        const head = /^<<-?\s*(?:'([^']+)'|"([^"]+)"|\\(\w+))/.exec(text.slice(i));
        const delimiter = head?.[1] ?? head?.[2] ?? head?.[3];
        if (head && delimiter !== undefined) {
          bodies.push(delimiter);
          i += head[0].length - 1;
        } else i++;
      } else if (c === '$' && text[i + 1] === '{') {
        const end = closingBrace(text, i + 2);
        if (end < 0) {
          report(`"${text.slice(i, i + 12)}": no closing } for \${`);
          return;
        }
        const inside = text.slice(i + 2, end);
        // `${#NAME}` is NAME's length.
        const lengthOf = inside.startsWith('#') && NAME.test(inside.slice(1));
        const named = NAME.exec(lengthOf ? inside.slice(1) : inside)?.[0];
        const rest = inside.slice((lengthOf ? 1 : 0) + (named?.length ?? 0));
        const operator = /^(:?)([-=+?])/.exec(rest);
        if (inside.trim() === '' || /^\s/.test(rest)) {
          report(`"\${${inside}}": expected a variable name inside \${…}, as in \${BRANCH}`);
        } else if (named && !operator) needs(named, text, i);
        else if (named && operator) {
          const [, colon, op] = operator;
          const set = isSet(named, colon === ':');
          // `-`/`=` use the operand when NAME is unset, `+` when it is set; `?`'s is a message.
          if (op === '?') needs(named, text, i);
          else if (op === '+' ? set : !set) scan(rest.slice(operator[0].length));
        }
        i = end;
      } else if (c === '$') {
        const name = NAME.exec(text.slice(i + 1))?.[0];
        if (name) {
          needs(name, text, i);
          i += name.length;
        }
      }
    }
  };
  scan(command);
}

/** Past the bodies of the here-documents that start at the newline at `at`, one after another. */
function afterBodies(text: string, at: number, delimiters: string[]): number {
  let position = at;
  for (const delimiter of delimiters) {
    for (;;) {
      const lineStart = position + 1;
      if (lineStart >= text.length) return text.length;
      const lineEnd = text.indexOf('\n', lineStart);
      const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
      position = lineEnd < 0 ? text.length : lineEnd;
      if (line.replace(/^\t+/, '') === delimiter) break;
    }
  }
  return position;
}

/** Whether the command sets NAME itself, at the start of one of its commands. */
function assignedIn(command: string, name: string): boolean {
  const n = name.replace(/[^A-Za-z0-9_]/g, '');
  const commandStart = '(?:^|[;&|({\\n]|\\b(?:then|do|else)\\b)\\s*';
  const assignment = `${commandStart}(?:[A-Za-z_]\\w*=\\S*\\s+)*${n}(?:\\[[^\\]]*\\])?=`;
  const declared = `${commandStart}(?:local|declare|typeset|export|readonly|read|getopts\\s+\\S+)\\b[^;&|\\n]*\\s${n}\\b`;
  const loop = `${commandStart}(?:for|select)\\s+${n}\\b`;
  return new RegExp(`${assignment}|${declared}|${loop}`).test(command);
}

function readPlainScalar(text: string): unknown {
  try {
    const value: unknown = parse(text);
    return value === null || typeof value === 'object' ? text : value;
  } catch {
    return text;
  }
}
