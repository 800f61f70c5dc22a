import { emptyBucket, mergeBucket } from '../results/bucket.ts';
import { totalMs } from '../results/coverage.ts';
import { deployDurationMs } from '../results/deploy-events.ts';
import { type Histogram, percentileMs } from '../results/histogram.ts';
import type { Bucket, EndpointRecording, Phase, Recording } from '../results/recording.ts';
import type { ConnectionKind, ErrorKind } from '../results/sample.ts';

/** Latency figures of a set of requests, in milliseconds (NaN where no request was made). */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** The figures of one trial; the names are stable, CI scripts read them from results.json. */
export interface TrialMetrics {
  requests: number;
  successes: number;
  /** Requests that got no response or a 5xx. */
  errors: number;
  errorsByKind: Record<ErrorKind | 'http5xx', number>;
  /** Successful requests as a percentage of all. */
  availability: number;
  /** Longest request, failures included: a user waited that long too. */
  longestTransactionMs: number;
  /** What siege prints: the longest successful request. */
  siegeLongestTransactionMs: number;
  shortestTransactionMs: number;
  /** Longest time a user went from a failing request to the end of their next success. */
  longestUserWaitMs: number;
  /** Total time in which requests failed or waited longer than the slow threshold. */
  disruptionMs: number;
  slowThresholdMs: number;
  /** From the first to the last disrupted moment; 0 when nothing was disrupted. */
  impactWindowMs: number;
  elapsedMs: number;
  /** Successful requests' mean response time, as siege's "Response time". */
  meanResponseMs: number;
  transactionRate: number;
  /** From the deploy's trigger to its completion (or failure). */
  deployDurationMs: number;
  /** Open model: arrivals not sent because too many requests were in flight. */
  dropped: number;
  /** Closed model: requests resent once after a reset on a kept-alive connection (RFC 9112 §9.3.1). */
  retried: number;
  latency: Record<Phase | 'overall', LatencySummary>;
  /** The second view of latency: corrected for coordinated omission, or the open model's service time. */
  alternateLatency?: {
    kind: 'corrected' | 'service';
    expectedIntervalMs?: number;
  } & Record<Phase | 'overall', LatencySummary>;
  /** Connections opened to the target; absent in runs saved before they were counted. */
  connections?: number;
  /** Every figure again for each of `load.endpoints`, in their order. */
  endpoints?: EndpointMetrics[];
  /** The requests by the kind of connection they were sent on, where the load could tell. */
  byConnection?: Partial<Record<ConnectionKind, ConnectionMetrics>>;
}

/** The requests sent on one kind of connection (new, or kept alive), and how they fared. */
export interface ConnectionMetrics {
  requests: number;
  /** Of `requests`, those the probe sent (`load.probe`; new connections only). */
  probes: number;
  failures: number;
  /** Failures by kind: no response (refused, reset, timeout, other), a failed check, or a 5xx. */
  errorsByKind: Record<ErrorKind | 'http5xx', number>;
  /** Resent once after a reset on a kept-alive connection (a browser's GET hides it; a POST fails). */
  retried: number;
  longestMs: number;
  /** Time in which a request of this kind failed or was slower than the slow threshold. */
  disruptionMs: number;
}

/** The figures of a set of requests: a trial's, or one endpoint's. */
export type RequestMetrics = Omit<
  TrialMetrics,
  'alternateLatency' | 'connections' | 'endpoints' | 'byConnection'
>;

/**
 * One endpoint's figures: the trial's, computed from its requests alone; `hurt` is absent when no
 * request to it ended after the deploy's trigger (nothing to judge by).
 */
export type EndpointMetrics = { name: string; hurt?: boolean } & RequestMetrics;

/** Percentiles of a histogram alone (its maximum to 3 significant digits: it keeps no exact one). */
function summarizeHistogram(histogram: Histogram): LatencySummary {
  const empty = histogram.totalCount === 0;
  return {
    count: histogram.totalCount,
    p50: percentileMs(histogram, 50),
    p90: percentileMs(histogram, 90),
    p99: percentileMs(histogram, 99),
    p999: percentileMs(histogram, 99.9),
    // The 100th percentile, not maxValue: a decoded histogram knows its maximum only to 3 digits,
    // and a saved run must give the same figures as the live one.
    max: percentileMs(histogram, 100),
    mean: empty ? Number.NaN : histogram.mean / 1000,
  };
}

function summarizeLatency(bucket: Bucket): LatencySummary {
  const { latency } = bucket;
  return {
    count: bucket.requests,
    p50: percentileMs(latency, 50),
    p90: percentileMs(latency, 90),
    p99: percentileMs(latency, 99),
    p999: percentileMs(latency, 99.9),
    max: bucket.requests > 0 ? bucket.maxMs : Number.NaN,
    mean: bucket.requests > 0 ? latency.mean / 1000 : Number.NaN,
  };
}

export function trialMetrics(recording: Recording): TrialMetrics {
  return {
    ...requestMetrics(recording),
    ...alternate(recording),
    ...(recording.connections !== undefined ? { connections: recording.connections } : {}),
    ...(recording.endpoints
      ? { endpoints: recording.endpoints.map((e) => endpointMetrics(recording, e)) }
      : {}),
    ...(recording.byConnection ? { byConnection: connectionMetrics(recording.byConnection) } : {}),
  };
}

function connectionMetrics(
  byConnection: NonNullable<Recording['byConnection']>,
): NonNullable<TrialMetrics['byConnection']> {
  const metrics: NonNullable<TrialMetrics['byConnection']> = {};
  for (const kind of ['new', 'reused'] as const) {
    const figures = byConnection[kind];
    if (!figures) continue;
    metrics[kind] = {
      requests: figures.requests,
      probes: figures.probes,
      failures: figures.failures,
      errorsByKind: {
        ...figures.errors,
        http5xx: Object.values(figures.statuses5xx).reduce((sum, n) => sum + n, 0),
      },
      retried: figures.retried,
      longestMs: figures.longestMs,
      disruptionMs: totalMs(figures.disruptionSpans),
    };
  }
  return metrics;
}

/** An endpoint's figures, taken as the trial's are from its own requests, and whether the deploy hurt it. */
function endpointMetrics(recording: Recording, endpoint: EndpointRecording): EndpointMetrics {
  const overall = emptyBucket();
  for (const phase of Object.values(endpoint.phases)) mergeBucket(overall, phase);
  const { longestUserWait, ...rest } = recording;
  const metrics = requestMetrics({
    ...rest,
    overall,
    phases: endpoint.phases,
    ...(endpoint.longestUserWait ? { longestUserWait: endpoint.longestUserWait } : {}),
    disruption: { ...recording.disruption, ...endpoint.disruption },
  });
  const hurt = hurtByDeploy(endpoint.phases, recording.disruption.thresholdMs);
  return { name: endpoint.name, ...(hurt !== undefined ? { hurt } : {}), ...metrics };
}

/**
 * The deploy hurt an endpoint when, during the deploy or after it (each judged on its own, so that a
 * long cool-down does not dilute a burst of failures), the endpoint failed more often than before
 * it, or answered slower than the slow threshold where nothing before had. So an asset that 404s
 * once the new release serves is hurt, and an endpoint broken all along is not. Undefined when no
 * request to it came after the trigger.
 */
function hurtByDeploy(phases: Recording['phases'], thresholdMs: number): boolean | undefined {
  const { before, during, after } = phases;
  if (during.requests + after.requests === 0) return undefined;
  const share = (bucket: Bucket) => (bucket.requests > 0 ? bucket.failures / bucket.requests : 0);
  const worse = (bucket: Bucket) =>
    (bucket.failures > 0 && share(bucket) > share(before)) ||
    (bucket.maxMs > thresholdMs && before.maxMs <= thresholdMs);
  return worse(during) || worse(after);
}

function requestMetrics(recording: Recording): RequestMetrics {
  const { overall, phases, disruption, timeline } = recording;
  const http5xx = Object.entries(overall.statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  const spans = disruption.spans;
  return {
    requests: overall.requests,
    successes: overall.success.count,
    errors: overall.failures,
    errorsByKind: { ...overall.errors, http5xx },
    availability: overall.requests > 0 ? (100 * overall.success.count) / overall.requests : 0,
    longestTransactionMs: overall.maxMs,
    siegeLongestTransactionMs: overall.success.maxMs,
    shortestTransactionMs: overall.success.count > 0 ? overall.success.minMs : 0,
    longestUserWaitMs: recording.longestUserWait?.ms ?? 0,
    disruptionMs: disruption.ms,
    slowThresholdMs: disruption.thresholdMs,
    impactWindowMs:
      spans.length > 0
        ? (spans.at(-1) as [number, number])[1] - (spans[0] as [number, number])[0]
        : 0,
    elapsedMs: recording.durationMs,
    meanResponseMs: overall.success.count > 0 ? overall.success.sumMs / overall.success.count : 0,
    transactionRate:
      recording.durationMs > 0 ? overall.success.count / (recording.durationMs / 1000) : 0,
    dropped: overall.dropped ?? 0,
    retried: overall.retried ?? 0,
    deployDurationMs: deployDurationMs(timeline),
    latency: {
      overall: summarizeLatency(overall),
      before: summarizeLatency(phases.before),
      during: summarizeLatency(phases.during),
      after: summarizeLatency(phases.after),
    },
  };
}

function alternate(recording: Recording): Pick<TrialMetrics, 'alternateLatency'> {
  const alt = recording.alternateLatency;
  if (!alt) return {};
  return {
    alternateLatency: {
      kind: alt.kind,
      ...(alt.expectedIntervalMs !== undefined
        ? { expectedIntervalMs: alt.expectedIntervalMs }
        : {}),
      overall: summarizeHistogram(alt.overall),
      before: summarizeHistogram(alt.phases.before),
      during: summarizeHistogram(alt.phases.during),
      after: summarizeHistogram(alt.phases.after),
    },
  };
}
