import { parseDocument } from 'yaml';

/** One change to a scenario from the command line, applied to the file before it is validated. */
export type ScenarioOverride =
  /** `internal`: made by the tool itself (a watch's one variant), not listed among the overrides. */
  | { source: string; path: (string | number)[]; value: unknown; internal?: true }
  /** A field a shorthand takes away: `--rate` makes a closed load open, and drops `users`. */
  | { source: string; path: (string | number)[]; remove: true };

/** `load.users`, `timeline.warmup`, `load.endpoints[1].weight`, `load.request.headers.x-api-key`. */
const PATH = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*$/;

/** `--set` or a shorthand given something that is not `path=value`: a usage error, exit 2. */
export class OverrideSyntaxError extends Error {
  override name = 'OverrideSyntaxError';
}

/**
 * `--set load.users=8`: the value is read as YAML, as the file would read it (`8` a number, `30s`
 * text, `false` a boolean, `[200, 304]` a list).
 */
export function parseOverride(text: string): ScenarioOverride {
  const equals = text.indexOf('=');
  const path = equals < 0 ? text : text.slice(0, equals);
  if (equals < 0 || !PATH.test(path))
    throw new OverrideSyntaxError(
      `--set ${text}: expected path=value, such as load.users=8 or timeline.warmup=5s`,
    );
  // As a document, so that its warnings (an unknown tag such as !!js/function) are kept, not
  // printed by Node as a warning block: the schema then says what the value should have been.
  const document = parseDocument(text.slice(equals + 1), { prettyErrors: false });
  const [syntaxError] = document.errors;
  if (syntaxError)
    throw new OverrideSyntaxError(
      `--set ${text}: the value is not YAML: ${syntaxError.message.split('\n')[0]}`,
    );
  const value: unknown = document.toJS();
  return { source: text, path: pathKeys(path), value };
}

function pathKeys(path: string): (string | number)[] {
  return [...path.matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : (m[1] as string),
  );
}

/** The shorthands of `bench run`, as the overrides they stand for. */
export function shorthandOverrides(options: {
  users?: number;
  rate?: string;
  warmup?: string;
  cooldown?: string;
}): ScenarioOverride[] {
  const overrides: ScenarioOverride[] = [];
  // Each change a flag makes is told as the flag, as typed: `--rate 50/s`.
  const set = (source: string, path: string, value: unknown) =>
    overrides.push({ source, path: pathKeys(path), value });
  const remove = (source: string, path: string) =>
    overrides.push({ source, path: pathKeys(path), remove: true });
  if (options.users !== undefined) {
    // Users make the load closed, whatever the file said.
    const source = `--users ${options.users}`;
    set(source, 'load.model', 'closed');
    for (const open of ['rate', 'arrival', 'maxInFlight']) remove(source, `load.${open}`);
    set(source, 'load.users', options.users);
  }
  if (options.rate !== undefined) {
    const source = `--rate ${options.rate}`;
    set(source, 'load.model', 'open');
    for (const closed of ['users', 'thinkTime', 'backoff']) remove(source, `load.${closed}`);
    set(source, 'load.rate', options.rate);
  }
  if (options.warmup !== undefined)
    set(`--warmup ${options.warmup}`, 'timeline.warmup', options.warmup);
  if (options.cooldown !== undefined)
    set(`--cooldown ${options.cooldown}`, 'timeline.cooldown', options.cooldown);
  return overrides;
}

/** How the overrides are shown in reports: each once, as typed. */
export function overrideSources(overrides: readonly ScenarioOverride[]): string[] {
  return [
    ...new Set(overrides.filter((o) => !('remove' in o) && !o.internal).map((o) => o.source)),
  ];
}
