import type { Dispatcher } from 'undici';
import type { EndpointConfig, Expectation, LoadConfig } from '../scenario/schema.ts';
import { compilePattern, type Pattern } from '../text/pattern.ts';
import { seededRandom } from './random.ts';

/** Methods a client may resend without asking (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** How much of a body a release pattern or a body check is searched in. */
export const BODY_SEARCHED = 64 * 1024;
/** How much of a body a failed check keeps as its example. */
export const BODY_EXAMPLE = 200;

/** One endpoint's request, prepared once per load model rather than on every request. */
export interface PreparedEndpoint {
  /** Its place in `load.endpoints`; undefined for the single `load.request`. */
  index: number | undefined;
  options: Dispatcher.DispatchOptions;
  /** May be resent once after a keep-alive race (RFC 9112 §9.3.1). */
  retryable: boolean;
  checks: PreparedChecks | undefined;
  /** How many of the body's first bytes to keep: what a release pattern or the checks read. */
  keepBytes: number;
}

/** An endpoint's `expect`, ready to test a response against; each check has its words for reports. */
export interface PreparedChecks {
  status?: { codes: Set<number>; classes: Set<number>; words: string };
  /** Lower-cased names, as undici gives headers. */
  headers: { name: string; pattern?: Pattern; words: string }[];
  body?: { text: string; words: string };
  bodyMatches?: { pattern: Pattern; words: string };
  /** How many of the body's first bytes the checks need: all they search, or the example. */
  keepBytes: number;
}

/** The scenario's requests, prepared: what every generator sends. */
export interface PreparedTraffic {
  endpoints: PreparedEndpoint[];
  timeoutMs: number;
  /** Lower-cased, as undici gives header names. */
  releaseHeader: string;
  releasePattern?: Pattern;
  /** Lower-cased; absent when no instance header is read. */
  instanceHeader?: string;
  /** Cumulative weights, for picking by weight. */
  cumulativeWeights: number[];
}

export function prepareTraffic(load: LoadConfig): PreparedTraffic {
  const configs: (EndpointConfig | (NonNullable<LoadConfig['request']> & { weight: number }))[] =
    load.endpoints ?? [
      { ...(load.request ?? { method: 'GET', path: '/', headers: {} }), weight: 1 },
    ];
  const explicit = load.endpoints !== undefined;
  let total = 0;
  return {
    endpoints: configs.map((config, index) => {
      const { path, method, headers, body } = config;
      const expectation = 'expect' in config ? config.expect : undefined;
      const checks = expectation ? prepareChecks(expectation) : undefined;
      return {
        index: explicit ? index : undefined,
        options: { path, method, headers, body },
        retryable: IDEMPOTENT.has(method),
        checks,
        keepBytes: Math.max(load.releasePattern ? BODY_SEARCHED : 0, checks?.keepBytes ?? 0),
      };
    }),
    cumulativeWeights: configs.map((config) => {
      total += config.weight;
      return total;
    }),
    timeoutMs: load.timeout,
    releaseHeader: load.releaseHeader.toLowerCase(),
    ...(load.releasePattern ? { releasePattern: compilePattern(load.releasePattern) } : {}),
    ...(load.instanceHeader ? { instanceHeader: load.instanceHeader.toLowerCase() } : {}),
  };
}

/**
 * The next endpoint to send, picked by weight from a generator seeded by `seed`: the same sequence
 * every run. With one endpoint, always that one, and no random number is drawn.
 */
export function endpointPicker(traffic: PreparedTraffic, seed: number): () => PreparedEndpoint {
  const { endpoints, cumulativeWeights } = traffic;
  const [only] = endpoints;
  if (endpoints.length === 1 && only) return () => only;
  const random = seededRandom(seed);
  const total = cumulativeWeights.at(-1) as number;
  return () => {
    const r = random() * total;
    let i = 0;
    while (i < cumulativeWeights.length - 1 && (cumulativeWeights[i] as number) <= r) i++;
    return endpoints[i] as PreparedEndpoint;
  };
}

function prepareChecks(expectation: Expectation): PreparedChecks {
  const checks: PreparedChecks = { headers: [], keepBytes: BODY_EXAMPLE };
  if (expectation.status) {
    const codes = new Set<number>();
    const classes = new Set<number>();
    for (const status of expectation.status) {
      if (typeof status === 'number') codes.add(status);
      else classes.add(Number(status[0]));
    }
    checks.status = { codes, classes, words: `status ${expectation.status.join(', ')}` };
  }
  for (const [name, value] of Object.entries(expectation.headers ?? {})) {
    checks.headers.push(
      value === true
        ? { name: name.toLowerCase(), words: `header ${name} present` }
        : {
            name: name.toLowerCase(),
            pattern: compilePattern(value),
            words: `header ${name} matches /${value}/`,
          },
    );
  }
  if (expectation.body !== undefined) {
    checks.body = {
      text: expectation.body,
      words: `body contains ${JSON.stringify(expectation.body)}`,
    };
    checks.keepBytes = BODY_SEARCHED;
  }
  if (expectation.bodyMatches !== undefined) {
    checks.bodyMatches = {
      pattern: compilePattern(expectation.bodyMatches),
      words: `body matches /${expectation.bodyMatches}/`,
    };
    checks.keepBytes = BODY_SEARCHED;
  }
  return checks;
}

/** The response as the checks read it: status, the checked headers' values, the body's start. */
export interface CheckedResponse {
  status: number;
  /** In the order of `checks.headers`. */
  headers: (string | undefined)[];
  /** The first `keepBytes` of the body. */
  body: Buffer;
}

/** The words of the first check the response fails, or undefined when it passes them all. */
export function failedCheck(checks: PreparedChecks, response: CheckedResponse): string | undefined {
  const { status } = checks;
  if (
    status &&
    !status.codes.has(response.status) &&
    !status.classes.has(Math.floor(response.status / 100))
  )
    return status.words;
  for (const [i, header] of checks.headers.entries()) {
    const value = response.headers[i];
    if (value === undefined || (header.pattern && !header.pattern.test(value))) return header.words;
  }
  if (checks.body && !response.body.includes(checks.body.text)) return checks.body.words;
  if (checks.bodyMatches && !checks.bodyMatches.pattern.test(response.body))
    return checks.bodyMatches.words;
  return undefined;
}
