import type { InFlight } from '../load/load-generator.ts';
import { isFailure, type Sample } from '../results/sample.ts';
import type { LoadConfig } from '../scenario/schema.ts';

/**
 * What became of a request, as a live view and Prometheus label it: answered (`ok` for 1xx–3xx),
 * a status that failed, no response (by why), or a response that failed its endpoint's `expect`.
 */
export const OUTCOMES = [
  'ok',
  'client_error',
  'server_error',
  'refused',
  'reset',
  'timeout',
  'other',
  'check_failed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcomes that count as a failed request (results/sample.ts `isFailure`): all but answers. */
const FAILED_OUTCOMES: ReadonlySet<Outcome> = new Set(
  OUTCOMES.filter((outcome) => outcome !== 'ok' && outcome !== 'client_error'),
);

/** The connection a request was sent on; `unknown` where the load cannot tell (the open model's pool). */
export const CONNECTION_KINDS = ['new', 'reused', 'unknown'] as const;

/**
 * Upper bounds of the live latency histogram, in ms (Prometheus' `le`, in seconds there): from a
 * fast local answer to a platform's 30 s router timeout and beyond.
 */
export const LATENCY_BOUNDS_MS = [
  5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000,
] as const;

/** Requests per endpoint, outcome and connection kind, flattened: see `labelledIndex`. */
export type LabelledCounts = readonly number[];

/** Where a request's count is kept in `LabelledCounts`. */
export function labelledIndex(endpoint: number, outcome: number, connection: number): number {
  return (endpoint * OUTCOMES.length + outcome) * CONNECTION_KINDS.length + connection;
}

/** How many endpoints a load sends to: its `load.endpoints`, or 1 for its single `load.request`. */
export function endpointCount(load: LoadConfig): number {
  return Math.max(1, load.endpoints?.length ?? 1);
}

/** Failed requests per endpoint (`endpoints` of them), from the labelled counts. */
export function failedByEndpoint(labelled: LabelledCounts, endpoints: number): number[] {
  return Array.from({ length: endpoints }, (_, endpoint) => {
    let failed = 0;
    OUTCOMES.forEach((outcome, o) => {
      if (!FAILED_OUTCOMES.has(outcome)) return;
      CONNECTION_KINDS.forEach((_, c) => {
        failed += labelled[labelledIndex(endpoint, o, c)] ?? 0;
      });
    });
    return failed;
  });
}

/** A running load's counters now: what a live view shows, read as often as it likes. */
export interface LoadProgress {
  requests: number;
  errors: number;
  lastMs: number;
  worstMs: number;
  /** The longest successful request so far (siege's "longest transaction"). */
  worstOkMs: number;
  /** Responses per instance so far (named as in the recording: instance header, else release). */
  answeredBy: [string, number][];
  inFlight: InFlight;
  /**
   * How long the oldest request in flight had waited when these counters were read (0 with none).
   * A thread reports a few times a second: read later, the request may have ended since, but it
   * took at least this long, which is what a live gate may rely on.
   */
  oldestInFlightMs: number;
  /** Requests by endpoint (0 for the single `load.request`), outcome and connection kind. */
  labelled: LabelledCounts;
  /** Requests per latency bound (LATENCY_BOUNDS_MS, then +Inf), not cumulative; and their sum. */
  latencyBuckets: readonly number[];
  latencySumMs: number;
}

export const NO_PROGRESS: Readonly<LoadProgress> = Object.freeze({
  requests: 0,
  errors: 0,
  lastMs: 0,
  worstMs: 0,
  worstOkMs: 0,
  answeredBy: [],
  inFlight: Object.freeze({ count: 0 }),
  oldestInFlightMs: 0,
  labelled: [],
  latencyBuckets: [],
  latencySumMs: 0,
});

function outcomeIndex(sample: Sample): number {
  switch (sample.error) {
    case 'refused':
      return 3;
    case 'reset':
      return 4;
    case 'timeout':
      return 5;
    case 'other':
      return 6;
    case 'check':
      return 7;
  }
  if (sample.status >= 500) return 2;
  if (sample.status >= 400) return 1;
  return sample.status === 0 ? 6 : 0;
}

function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++)
    if (ms <= (LATENCY_BOUNDS_MS[i] as number)) return i;
  return LATENCY_BOUNDS_MS.length;
}

/** Counted per sample, on the hot path: a few numbers and two array slots, nothing else. */
export class LoadCounters {
  private requests = 0;
  private errors = 0;
  private lastMs = 0;
  private worstMs = 0;
  private worstOkMs = 0;
  private readonly labelled: Float64Array;
  private readonly latencyBuckets = new Float64Array(LATENCY_BOUNDS_MS.length + 1);
  private latencySumMs = 0;

  /** `endpoints`: how many the scenario names (1 for the single `load.request`). */
  constructor(private readonly endpoints = 1) {
    this.labelled = new Float64Array(labelledIndex(endpoints, 0, 0));
  }

  record(sample: Sample): void {
    // The live view shows what the users see; the probe is counted in the recording only.
    if (sample.probe) return;
    this.requests++;
    const failed = isFailure(sample);
    if (failed) this.errors++;
    const ms = sample.latencyMs;
    this.lastMs = ms;
    if (ms > this.worstMs) this.worstMs = ms;
    if (!failed && ms > this.worstOkMs) this.worstOkMs = ms;
    const endpoint = Math.min(sample.endpoint ?? 0, this.endpoints - 1);
    const connection = sample.connection === 'new' ? 0 : sample.connection === 'reused' ? 1 : 2;
    (this.labelled[labelledIndex(endpoint, outcomeIndex(sample), connection)] as number)++;
    (this.latencyBuckets[latencyBucket(ms)] as number)++;
    this.latencySumMs += ms;
  }

  /** The counters now: `now` on the trial's clock, which the requests in flight started on. */
  progress(inFlight: InFlight, answeredBy: Iterable<[string, number]>, now: number): LoadProgress {
    const { requests, errors, lastMs, worstMs, worstOkMs, latencySumMs } = this;
    return {
      requests,
      errors,
      lastMs,
      worstMs,
      worstOkMs,
      answeredBy: [...answeredBy],
      inFlight,
      oldestInFlightMs:
        inFlight.oldestStart === undefined ? 0 : Math.max(0, now - inFlight.oldestStart),
      labelled: [...this.labelled],
      latencyBuckets: [...this.latencyBuckets],
      latencySumMs,
    };
  }
}

/** Counts added slot by slot; the longer list sets the length. */
function addSlots(lists: readonly (readonly number[])[]): number[] {
  const sum: number[] = [];
  for (const list of lists)
    list.forEach((n, i) => {
      sum[i] = (sum[i] ?? 0) + n;
    });
  return sum;
}

/** The counters of several generator threads, each as it reported them last. */
export function combineProgress(threads: readonly LoadProgress[]): LoadProgress {
  const answered = new Map<string, number>();
  for (const thread of threads) {
    for (const [id, count] of thread.answeredBy) answered.set(id, (answered.get(id) ?? 0) + count);
  }
  const count = threads.reduce((sum, t) => sum + t.inFlight.count, 0);
  const starts = threads.flatMap((t) =>
    t.inFlight.oldestStart === undefined ? [] : [t.inFlight.oldestStart],
  );
  return {
    requests: threads.reduce((sum, t) => sum + t.requests, 0),
    errors: threads.reduce((sum, t) => sum + t.errors, 0),
    lastMs: threads.at(-1)?.lastMs ?? 0,
    worstMs: Math.max(0, ...threads.map((t) => t.worstMs)),
    worstOkMs: Math.max(0, ...threads.map((t) => t.worstOkMs)),
    answeredBy: [...answered],
    inFlight: starts.length > 0 ? { count, oldestStart: Math.min(...starts) } : { count },
    // Each thread's own, as it read it: never older than what it saw.
    oldestInFlightMs: Math.max(0, ...threads.map((t) => t.oldestInFlightMs)),
    labelled: addSlots(threads.map((t) => t.labelled)),
    latencyBuckets: addSlots(threads.map((t) => t.latencyBuckets)),
    latencySumMs: threads.reduce((sum, t) => sum + t.latencySumMs, 0),
  };
}
