import { z } from 'zod';
import { variantFileName } from '../results/bounds.ts';
import { MAX_INTERVALS_PER_TRIAL } from '../results/limits.ts';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from '../text/duration.ts';
import { hasControlCharacter } from '../text/escape.ts';
import { formatMs } from '../text/format.ts';
import { patternProblem } from '../text/pattern.ts';

/**
 * The longest a Node.js timer can wait (2³¹−1 ms, about 24.8 days). Beyond it Node silently waits
 * 1 ms instead, so a longer timeout would fire at once.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The lower end of a duration's range: above 0 (a timeout), or at least some duration. */
type LowerBound = { above: 0 } | { atLeast: string };

/**
 * A duration written as text ("500ms", "5s", "2m") and read as milliseconds, within a range the
 * runtime honours: from its lower bound (0ms unless stated) to the longest timer.
 */
function duration(lower: LowerBound = { atLeast: '0ms' }) {
  const min = 'atLeast' in lower ? (parseDuration(lower.atLeast) ?? 0) : 0;
  const range = `${'atLeast' in lower ? `of at least ${lower.atLeast}` : 'above 0'} and at most ${MAX_DURATION_TEXT}`;
  return z
    .string({ error: `expected ${DURATION_HINT}` })
    .meta({ description: `${DURATION_HINT}; ${range}`, pattern: DURATION_PATTERN })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      const inRange =
        ms !== undefined && ms <= MAX_TIMER_MS && ('above' in lower ? ms > 0 : ms >= min);
      if (!inRange) {
        ctx.addIssue({
          code: 'custom',
          message:
            ms === undefined
              ? `expected ${DURATION_HINT}, got "${text}"`
              : `expected a duration ${range}, got "${text}"`,
        });
        return z.NEVER;
      }
      return ms;
    });
}

/** 2³¹−1 ms in the scenario's units, with why. */
const MAX_DURATION_TEXT = '2147483647ms (about 596.5h, the longest a timer can wait)';

const positiveDuration = () => duration({ above: 0 });

const port = z.number().int().min(0).max(65_535);

/** Text shown in reports and used in folder names: one line, no control characters. */
const label = z
  .string()
  .min(1)
  .max(200)
  .refine((text) => !hasControlCharacter(text), 'expected one line without control characters');

/** A header name as HTTP allows it (RFC 9110's token). */
const headerName = z
  .string()
  .regex(
    /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/,
    "expected a header name of letters, digits and !#$%&'*+-.^_`|~ (no spaces, no colon)",
  );

/** Headers the load generator sets itself, or that would change what a request is. */
const GENERATOR_HEADERS = [
  'connection',
  'content-length',
  'expect',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
];

const requestHeaders = z
  .record(
    headerName,
    z
      .union([z.string(), z.number().finite()], { error: 'expected a header value as text' })
      .transform(String)
      .pipe(
        z
          .string()
          .max(8192, 'expected a header value of at most 8192 characters')
          .regex(
            /^[\t\x20-\x7e\xa0-\xff]*$/,
            'expected a header value on one line: no line breaks, no control characters, no characters beyond Latin-1',
          ),
      ),
  )
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (GENERATOR_HEADERS.includes(name.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `the load generator sets ${name} itself; expected another header`,
        });
    }
  });

/** A request path: what a request line can carry without encoding. */
const requestPath = z
  .string()
  .max(8192, 'expected a path of at most 8192 characters')
  .regex(
    /^\/[!-~]*$/,
    'expected a path that starts with / and has no spaces or non-ASCII characters (percent-encode them: %20 for a space)',
  );

const hasNoNul = (text: string) => !text.includes('\0');

/** A shell command: any text the shell reads, but no NUL, which no process can be given. */
const shellCommand = z
  .string()
  .min(1)
  .refine(hasNoNul, 'expected a command without NUL characters');

const commandLine = z.union(
  [shellCommand, z.array(z.string().refine(hasNoNul, 'expected no NUL characters')).min(1)],
  {
    error: 'expected a command: a string for the shell, or a list [program, arg, ...]',
  },
);

/** Environment variables: names of letters, digits and _, values text (a number becomes text). */
const environment = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name of letters, digits and _'),
  z
    .union([z.string(), z.number()], { error: 'expected text or a number' })
    .transform(String)
    .refine(hasNoNul, 'expected a value without NUL characters'),
);

const appSchema = z.strictObject({
  /** Started once per process with PORT and RELEASE set; relative paths resolve from the scenario's folder. */
  command: commandLine,
  env: environment.default({}),
  /** Working directory of the app, relative to the scenario's folder. */
  cwd: z.string().refine(hasNoNul, 'expected a folder without NUL characters').optional(),
});

const platformSchema = z.strictObject({
  app: appSchema,
  processes: z.number().int().min(1).max(64).default(1),
  /** Router port: 0 picks a free one. */
  port: port.default(0),
  routerTimeout: positiveDuration().default(30_000),
  stopGrace: duration().default(30_000),
  /** Time a process may take to come up before the deploy fails. */
  bootTimeout: positiveDuration().default(120_000),
  /** Without a path a process is up when it accepts connections (Heroku's rule). */
  readiness: z.strictObject({ path: requestPath }).optional(),
});

const tlsSchema = z.strictObject({
  /** Accept any certificate (a self-signed staging one): the connection is encrypted, not verified. */
  insecure: z.boolean().default(false),
  /** A PEM file of the CA that signed the target's certificate, relative to the scenario's folder. */
  ca: z.string().min(1).refine(hasNoNul, 'expected a file name without NUL characters').optional(),
  /** The name the certificate is checked against (and sent as SNI) when the URL's host differs. */
  servername: z
    .string()
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$/, 'expected a host name of letters, digits, "." and "-"')
    .optional(),
});

/** Exactly one of the two, checked after each is validated so that errors point inside it. */
const targetSchema = z
  .strictObject({
    platform: platformSchema.optional(),
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
    /** External target: before load starts, wait until this path answers (any status below 500). */
    ready: z
      .strictObject({
        path: requestPath.optional(),
        timeout: positiveDuration().default(60_000),
      })
      .optional(),
    /** An https target's certificate: trust a CA file, skip the check, or name the server (SNI). */
    tls: tlsSchema.optional(),
    /** HTTP/2 over TLS, negotiated by ALPN (HTTP/1.1 when the server does not offer h2). */
    http2: z.boolean().optional(),
  })
  .refine((t) => (t.platform === undefined) !== (t.url === undefined), {
    message: 'expected either `platform:` (the embedded platform) or `url:` (an external target)',
  })
  .superRefine((t, ctx) => {
    const https = t.url?.startsWith('https:') === true;
    for (const field of ['tls', 'http2'] as const) {
      if (t[field] !== undefined && !https)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `expected an https:// url: ${field} applies to TLS connections only`,
        });
    }
  })
  .transform((t): { platform: PlatformConfig } | UrlTargetConfig =>
    t.platform !== undefined
      ? { platform: t.platform }
      : {
          url: t.url as string,
          ...(t.ready ? { ready: t.ready } : {}),
          ...(t.tls ? { tls: t.tls } : {}),
          ...(t.http2 !== undefined ? { http2: t.http2 } : {}),
        },
  );

type ReadyConfig = { path?: string; timeout: number };
export type TlsConfig = z.output<typeof tlsSchema>;
export interface UrlTargetConfig {
  url: string;
  ready?: ReadyConfig;
  tls?: TlsConfig;
  http2?: boolean;
}

const RATE = /^(\d+(?:\.\d+)?)\/(s|m)$/;

/** The probe's rate when the scenario says nothing: a few a second, light beside any load. */
const DEFAULT_PROBE = '5/s';

/** Requests per second, written `50/s` or `600/m`. */
const rate = z.string({ error: 'expected a rate such as 50/s or 600/m' }).transform((text, ctx) => {
  const match = RATE.exec(text.trim());
  const perSecond = match ? Number(match[1]) / (match[2] === 'm' ? 60 : 1) : 0;
  // One arrival at least every 1000 s: the gap between two must fit a timer.
  if (!match || perSecond < 0.001 || perSecond > 100_000) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a rate such as 50/s or 600/m (from 0.001/s to 100000/s), got "${text}"`,
    });
    return z.NEVER;
  }
  return perSecond;
});

/** Matched in linear time (text/pattern.ts): RE2's syntax, without look-around or back-references. */
const regex = z
  .string()
  .max(1000, 'expected a regular expression of at most 1000 characters')
  .superRefine((text, ctx) => {
    const problem = patternProblem(text);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: `expected a regular expression in RE2's syntax (no look-around or back-references): ${problem}`,
      });
  });

const requestFields = {
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  path: requestPath.default('/'),
  headers: requestHeaders.default({}),
  body: z.string().optional(),
};

/** One status (200) or a class of them (2xx). */
const STATUS_HINT = 'expected a status such as 200 or a class such as 2xx';
const statusExpectation = z.union(
  [
    z.number().int(STATUS_HINT).min(100, STATUS_HINT).max(599, STATUS_HINT),
    z.string().superRefine((text, ctx) => {
      if (!/^[1-5]xx$/.test(text))
        ctx.addIssue({ code: 'custom', message: `${STATUS_HINT}, got ${JSON.stringify(text)}` });
    }),
  ],
  { error: STATUS_HINT },
);

/** What a response must be to count as a success; one that is not is a failure of kind `check`. */
const expectSchema = z.strictObject({
  /** Status codes or classes: 200, [200, 304], 2xx, [2xx, 304]. */
  status: z
    .union([statusExpectation, z.array(statusExpectation).min(1).max(100)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional(),
  /** Text the body must contain (searched in its first 64 KiB). */
  body: z.string().min(1).max(10_000).optional(),
  /** A regular expression the body must match (in its first 64 KiB). */
  bodyMatches: regex.optional(),
  /** Headers that must be present (true) or whose value must match a regular expression. */
  headers: z
    .record(
      headerName,
      z.union([z.literal(true), regex], {
        error: 'expected true (the header must be present) or a regular expression',
      }),
    )
    .optional(),
});

/** A HEAD response has no body: a body check on one would fail every request. */
function noBodyCheckOnHead(
  request: { method: string; expect?: { body?: string; bodyMatches?: string } | undefined },
  ctx: z.RefinementCtx,
): void {
  if (request.method !== 'HEAD') return;
  for (const field of ['body', 'bodyMatches'] as const) {
    if (request.expect?.[field] !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['expect', field],
        message: 'a HEAD response has no body to check; expected a GET, or no body check',
      });
  }
}

const requestSchema = z
  .strictObject({ ...requestFields, expect: expectSchema.optional() })
  .superRefine(noBodyCheckOnHead);

/** Endpoint names appear in tables and gates (`preboot.endpoint(assets).errors`): a plain word. */
export const ENDPOINT_NAME = /^[A-Za-z0-9][\w-]*$/;

const endpointSchema = z
  .strictObject({
    name: z.string().max(60).regex(ENDPOINT_NAME, 'expected a name of letters, digits, "_" or "-"'),
    /** Each request goes to an endpoint picked in proportion to its weight. */
    weight: z.number().positive().max(1_000_000).default(1),
    ...requestFields,
    /** A file whose text is the body, relative to the scenario's folder. */
    bodyFile: z
      .string()
      .min(1)
      .refine(hasNoNul, 'expected a file name without NUL characters')
      .optional(),
    expect: expectSchema.optional(),
  })
  .refine((e) => e.body === undefined || e.bodyFile === undefined, {
    message: 'expected either `body` or `bodyFile`, not both',
    path: ['bodyFile'],
  })
  .superRefine(noBodyCheckOnHead);

const commonLoad = {
  timeout: positiveDuration().default(60_000),
  /** Response header naming the release that answered (the sample app sends x-release). */
  releaseHeader: headerName.default('x-release'),
  /** Or a regular expression on the body whose first group is the release, e.g. "version: (\\S+)". */
  releasePattern: regex.optional(),
  /**
   * Response header naming the instance that answered (a pod name, a dyno id): the reports then show
   * each instance as a lane. Without it, instances are told apart by release; the embedded platform's
   * router names its processes itself.
   */
  instanceHeader: headerName.optional(),
  /** The one request every user sends; `endpoints` instead for several. */
  request: requestSchema.optional(),
  /** Several requests, each picked by weight from a seeded generator (the same sequence each run). */
  endpoints: z
    .array(endpointSchema)
    .min(1, 'expected at least one endpoint')
    .max(100)
    .superRefine((endpoints, ctx) => {
      const seen = new Set<string>();
      endpoints.forEach((endpoint, index) => {
        if (seen.has(endpoint.name))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `expected a unique name, "${endpoint.name}" is used twice`,
          });
        seen.add(endpoint.name);
      });
    })
    .optional(),
  /** False: a new connection for every request, as a first visit makes (the server sees each). */
  keepAlive: z.boolean().default(true),
  /**
   * Beside the users (or arrivals), requests at this rate each on a connection of its own: new
   * connections break for other reasons than kept-alive ones (docs/diagnosis.md). `false` turns it
   * off; with `keepAlive: false` every request is on a new connection and none is sent.
   */
  probe: z
    .union([z.literal(false), rate])
    .prefault(DEFAULT_PROBE)
    .transform((probe) => (probe === false ? 0 : probe)),
  /**
   * Worker threads that send the load, each with its share of the users or the rate and its own
   * recorder, merged exactly at the end: for loads one core cannot send (docs/scale.md).
   */
  workers: z.number().int().min(1).max(64).default(1),
};

/** N users, each waiting for its response before the next request, like `siege -c N`. */
const closedLoadSchema = z.strictObject({
  model: z.literal('closed'),
  users: z.number().int().min(1).max(10_000),
  thinkTime: duration().default(0),
  /** Pause after a connection error so a user does not spin against a refusing target. */
  backoff: duration().default(75),
  ...commonLoad,
});

/** Requests start on a fixed schedule whatever the target does (no coordinated omission). */
const openLoadSchema = z.strictObject({
  model: z.literal('open'),
  rate,
  /** Evenly spaced arrivals, or a Poisson process with the same mean rate. */
  arrival: z.enum(['uniform', 'poisson']).default('uniform'),
  /** Arrivals beyond this many requests in flight are counted as dropped, not sent. */
  maxInFlight: z.number().int().min(1).max(100_000).default(1000),
  ...commonLoad,
});

const loadSchema = z.preprocess(
  (value, ctx) => {
    if (value === null || typeof value !== 'object') return value;
    const load: Record<string, unknown> = { ...value };
    if (!('model' in load)) load.model = 'closed';
    // One request or several: `request` is filled in with its defaults only when neither is given.
    if ('request' in load && 'endpoints' in load)
      ctx.addIssue({
        code: 'custom',
        path: ['endpoints'],
        message: 'expected either `request` (one endpoint) or `endpoints`, not both',
      });
    else if (!('endpoints' in load)) load.request ??= {};
    return load;
  },
  z.discriminatedUnion('model', [closedLoadSchema, openLoadSchema], {
    error: 'expected model "closed" (with users) or "open" (with rate)',
  }),
);

const timelineSchema = z.strictObject({
  /**
   * Unrecorded load before the trial's clock starts, so the running release reaches steady state: on
   * a real platform it has been serving for hours, and its cold first requests are not the deploy's.
   */
  settle: duration().default(1000),
  /** Load before the deploy is triggered: the baseline. */
  warmup: duration().default(3000),
  /** Load kept on after the deploy completes. */
  cooldown: duration().default(3000),
  /** A deploy still running after this is failed. */
  deployTimeout: positiveDuration().default(600_000),
  /** A hook still running after this is killed and stops the run. */
  hookTimeout: positiveDuration().default(600_000),
  /** Rest between two trials, so that one trial's after-effects do not leak into the next. */
  betweenTrials: duration().default(0),
});

/** A scenario's variant names are also short enough to head a table column. */
const variantName = variantFileName.max(100);

const strategy = z.enum(['stop-start', 'preboot', 'rolling'], {
  error: 'expected one of stop-start, preboot, rolling',
});

const variantSchema = z
  .strictObject({
    name: variantName,
    description: z.string().max(10_000).optional(),
    /** How the embedded platform deploys the new release. */
    strategy: strategy.optional(),
    /** A shell command that deploys an external target. */
    command: shellCommand.optional(),
    /**
     * Set for this variant's command and hooks, and for the embedded platform's app (whose own
     * `app.env` comes first): what differs between two variants that deploy the same way.
     */
    env: environment.optional(),
    /** Shell commands run before and after this variant's trials, or each of them. */
    hooks: z
      .strictObject({
        beforeVariant: shellCommand.optional(),
        afterVariant: shellCommand.optional(),
        beforeTrial: shellCommand.optional(),
        afterTrial: shellCommand.optional(),
      })
      .optional(),
  })
  .refine((v) => (v.strategy === undefined) !== (v.command === undefined), {
    message: 'expected exactly one of `strategy` (embedded platform) or `command` (shell)',
  });

const deploySchema = z.strictObject({
  /** Phases read from the deploy command's output: real platforms' progress on the timeline. */
  markers: z
    .array(
      z.strictObject({
        pattern: regex,
        phase: z.enum(
          ['booting', 'up', 'released', 'switched', 'stopping', 'stopped', 'completed'],
          {
            error: 'expected one of booting, up, released, switched, stopping, stopped, completed',
          },
        ),
      }),
    )
    .default([]),
  /** After a failed deploy: go on with the next trial, or stop the run (exit code 3 either way). */
  onFailure: z.enum(['continue', 'stop']).default('continue'),
});

const analysisSchema = z.strictObject({
  /** Width of the time intervals that latency, throughput and releases are recorded in. */
  interval: duration({ atLeast: '10ms' }).default(1000),
  /** A request slower than this counts towards disruption; default derives from the baseline. */
  slowThreshold: positiveDuration().optional(),
});

export const scenarioSchema = z
  .strictObject({
    name: label,
    description: z.string().max(10_000).optional(),
    target: targetSchema,
    load: loadSchema,
    timeline: timelineSchema.prefault({}),
    variants: z.array(variantSchema).min(1, 'expected at least one variant'),
    trials: z.number().int().min(1).max(1000).default(1),
    deploy: deploySchema.prefault({}),
    analysis: analysisSchema.prefault({}),
    /** Pass/fail thresholds such as `preboot.longest < 2s`; read in full once the variants are known. */
    gates: z.array(z.string().min(1)).default([]),
  })
  .superRefine((scenario, ctx) => {
    // Each interval holds a histogram: a trial's count of them is what memory is sized by.
    const { warmup, deployTimeout, cooldown } = scenario.timeline;
    const intervals = Math.ceil((warmup + deployTimeout + cooldown) / scenario.analysis.interval);
    if (intervals > MAX_INTERVALS_PER_TRIAL) {
      ctx.addIssue({
        code: 'custom',
        path: ['analysis', 'interval'],
        message: `a trial of up to ${formatMs(warmup + deployTimeout + cooldown)} (warmup + deployTimeout + cooldown) in ${formatMs(scenario.analysis.interval)} intervals is ${intervals} intervals; expected at most ${MAX_INTERVALS_PER_TRIAL}: widen the interval or shorten timeline.deployTimeout`,
      });
    }
    if ('url' in scenario.target && scenario.target.http2 && !scenario.load.keepAlive) {
      ctx.addIssue({
        code: 'custom',
        path: ['load', 'keepAlive'],
        message:
          'expected keepAlive: true with target.http2: a new connection per request is HTTP/1.1 only',
      });
    }
    const seen = new Set<string>();
    scenario.variants.forEach((variant, index) => {
      if (seen.has(variant.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', index, 'name'],
          message: `expected a unique name, "${variant.name}" is used twice`,
        });
      }
      seen.add(variant.name);
      const embedded = 'platform' in scenario.target;
      if (embedded && variant.command !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', index, 'command'],
          message: 'expected `strategy`: the embedded platform deploys with a strategy',
        });
      }
      if (!embedded && variant.strategy !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', index, 'strategy'],
          message: 'expected `command`: an external `url` target is deployed by a shell command',
        });
      }
    });
  });

/**
 * A scenario as validated: its variants typed as the refinements above guarantee them (exactly one
 * of `strategy` or `command`, the one its target deploys with).
 */
export type Scenario = Omit<z.output<typeof scenarioSchema>, 'variants'> & { variants: Variant[] };
export type PlatformConfig = z.output<typeof platformSchema>;
export type LoadConfig = z.output<typeof loadSchema>;
export type ClosedLoadConfig = z.output<typeof closedLoadSchema>;
export type OpenLoadConfig = z.output<typeof openLoadSchema>;
type VariantFields = z.output<typeof variantSchema>;
/**
 * How a variant deploys: with a strategy of the embedded platform, with a shell command (a URL
 * target), or — `bench watch` only — not at all: somebody else deploys.
 */
export type Variant = Omit<VariantFields, 'strategy' | 'command'> &
  (
    | { strategy: Strategy; command?: undefined }
    | { command: string; strategy?: undefined }
    | { strategy?: undefined; command?: undefined }
  );
export type Strategy = z.output<typeof strategy>;
export type DeployConfig = z.output<typeof deploySchema>;
export type Hooks = NonNullable<VariantFields['hooks']>;
export type RequestConfig = z.output<typeof requestSchema>;
export type EndpointConfig = z.output<typeof endpointSchema>;
export type Expectation = z.output<typeof expectSchema>;

/** The names of the scenario's `load.endpoints` (none for the single `load.request`). */
export function endpointNames(scenario: Pick<Scenario, 'load'>): string[] {
  return (scenario.load.endpoints ?? []).map((endpoint) => endpoint.name);
}
