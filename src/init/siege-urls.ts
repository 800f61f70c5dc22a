import { stringify } from 'yaml';
import { ScenarioError } from '../scenario/errors.ts';

/** One line of a siege URL file, as a scenario's endpoint. */
export interface SiegeEndpoint {
  name: string;
  weight: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  bodyFile?: string;
}

export interface SiegeUrls {
  /** The one origin every URL is on: the scenario's target. */
  origin: string;
  endpoints: SiegeEndpoint[];
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A request path's length at most, as the scenario's schema allows. */
const MAX_PATH = 8192;

/** A URL file's lines at most: siege reads any number; a scenario takes 100 endpoints. */
const MAX_ENDPOINTS = 100;

/**
 * A siege URL file (`siege -f urls.txt`): one `URL [METHOD] [data | <file]` per line, `#` comments,
 * `NAME=value` variables used as `$(NAME)` or `${NAME}`. Each distinct line becomes an endpoint; a
 * line given n times weighs n, as siege picks lines at random (`-i`). Every URL must be on one
 * origin: a scenario loads one target. Problems are told at their line.
 */
export function parseSiegeUrls(
  text: string,
  file: string,
  /**
   * A `<file` body's name as the scenario must give it (siege reads it from its own folder, a
   * scenario from the scenario's); a problem with it is returned, told at its line.
   */
  bodyFile: (name: string) => { path: string } | { problem: string } = (name) => ({ path: name }),
): SiegeUrls {
  const fail = (line: number, message: string): never => {
    throw new ScenarioError([{ file, line, message }]);
  };
  const variables = new Map<string, string>();
  const byLine = new Map<string, SiegeEndpoint>();
  let origin: string | undefined;
  const names = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const assignment = /^([A-Za-z_]\w*)\s*=\s*(.*)$/.exec(content);
    if (assignment) {
      variables.set(
        assignment[1] as string,
        expand(assignment[2] as string, variables, line, fail),
      );
      return;
    }
    const expanded = expand(content, variables, line, fail);
    // URL, method, then the data as written: its own spaces are kept.
    const [, address = '', second, data = ''] =
      /^(\S+)(?:\s+(\S+)(?:\s+(.*))?)?$/.exec(expanded) ?? [];
    if (!URL.canParse(address) || !/^https?:$/.test(new URL(address).protocol))
      fail(line, `expected a URL such as http://host/path, got "${address}"`);
    const url = new URL(address);
    // Kept in the scenario, they would be sent nowhere (an origin has none) and shown everywhere.
    if (url.username !== '' || url.password !== '')
      fail(
        line,
        'the URL carries credentials (user:password@); a scenario does not keep them: send an Authorization header instead (load.endpoints[].headers)',
      );
    if (origin === undefined) origin = url.origin;
    else if (url.origin !== origin)
      fail(line, `${url.origin} is another origin than ${origin}: a scenario loads one target`);
    if (second !== undefined && !METHODS.has(second.toUpperCase()))
      fail(line, `expected a method after the URL (GET, POST, PUT, …), got "${second}"`);
    const method = second?.toUpperCase() ?? 'GET';
    const key = `${method} ${url.pathname}${url.search} ${data}`;
    const seen = byLine.get(key);
    if (seen) {
      seen.weight++;
      return;
    }
    if (byLine.size >= MAX_ENDPOINTS)
      fail(
        line,
        `more than ${MAX_ENDPOINTS} distinct URLs; a scenario takes ${MAX_ENDPOINTS} endpoints`,
      );
    if (url.pathname.length + url.search.length > MAX_PATH)
      fail(
        line,
        `the path is ${url.pathname.length + url.search.length} characters; a scenario takes ${MAX_PATH}`,
      );
    const endpoint: SiegeEndpoint = {
      name: uniqueName(url.pathname, names),
      weight: 1,
      method,
      path: `${url.pathname}${url.search}`,
    };
    if (data.startsWith('<')) {
      const body = bodyFile(data.slice(1).trim());
      if ('problem' in body) fail(line, body.problem);
      else endpoint.bodyFile = body.path;
    } else if (data !== '') {
      endpoint.body = data;
      // As siege sends it: a form unless it looks like JSON.
      endpoint.headers = {
        'content-type': /^\s*[[{]/.test(data)
          ? 'application/json'
          : 'application/x-www-form-urlencoded',
      };
    }
    byLine.set(key, endpoint);
  });
  if (origin === undefined) fail(1, 'no URL in the file; expected lines such as http://host/path');
  return { origin: origin as string, endpoints: [...byLine.values()] };
}

/** A line or a variable, expanded, at most: variables that double each other grow without end. */
const MAX_EXPANDED = 64 * 1024;

/** `$(NAME)` and `${NAME}` from the file's own variables, as siege expands them. */
function expand(
  text: string,
  variables: ReadonlyMap<string, string>,
  line: number,
  fail: (line: number, message: string) => never,
): string {
  // Counted as it grows, so that a bomb fails before it is built.
  let length = text.length;
  return text.replace(/\$(?:\((\w+)\)|\{(\w+)\})/g, (reference, round?: string, curly?: string) => {
    const name = (round ?? curly) as string;
    const value = variables.get(name) ?? fail(line, `$(${name}) is not set earlier in the file`);
    length += value.length - reference.length;
    if (length > MAX_EXPANDED)
      fail(line, `the variables expand beyond ${MAX_EXPANDED} characters; expected a URL line`);
    return value;
  });
}

/** An endpoint name from a path: `/api/cart` → `api-cart`, `/` → `home`; unique with -2, -3… */
function uniqueName(pathname: string, taken: Set<string>): string {
  const base =
    pathname
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'home';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

/** The endpoints as the lines of a scenario's `load.endpoints`, indented under `load:`. */
export function endpointsYaml(endpoints: readonly SiegeEndpoint[]): string {
  const list = stringify({ endpoints }, { lineWidth: 0, flowCollectionPadding: true });
  return list
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
