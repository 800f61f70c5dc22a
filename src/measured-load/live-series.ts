import type { Recorder } from '../record/recorder.ts';
import { percentileMs } from '../results/histogram.ts';
import { byFirstResponse, type InstanceTraffic } from '../results/parts/instances.ts';

/** One interval of a running trial, by the start of its requests (as the recording's intervals). */
export interface LiveInterval {
  requests: number;
  failures: number;
  maxMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** An instance's traffic so far: its answers per interval, by the interval each ended in. */
export type LiveTraffic = Omit<InstanceTraffic, 'troubled' | 'troubleSpans'>;

/**
 * What changed in a recorder since its last report: the intervals that took requests, and each
 * instance's newest intervals. A few numbers a few times a second, whatever the rate.
 */
export interface SeriesUpdate {
  intervalMs: number;
  slowMs?: number;
  intervals: [index: number, interval: LiveInterval][];
  /** `perInterval` holds the counts from interval `from` on. */
  instances: (Omit<LiveTraffic, 'perInterval'> & { from: number; perInterval: number[] })[];
}

/**
 * An instance's answers are counted by the interval they ended in, which the ordered recorder
 * may reach a little late: its last few intervals are sent again, whatever changed.
 */
const RESENT_INTERVALS = 4;

/** Reads a recorder as it records, and reports what changed (in the thread that records). */
export class SeriesReporter {
  private readonly reportedRequests: number[] = [];
  private readonly reportedInstances = new Map<string, { length: number; requests: number }>();

  constructor(private readonly recorder: Recorder) {}

  update(): SeriesUpdate {
    const intervals: SeriesUpdate['intervals'] = [];
    this.recorder.intervalsSoFar().forEach((bucket, index) => {
      // Only the intervals that took requests since the last report: percentiles cost a little.
      if (bucket.requests === (this.reportedRequests[index] ?? 0)) return;
      this.reportedRequests[index] = bucket.requests;
      intervals.push([
        index,
        {
          requests: bucket.requests,
          failures: bucket.failures,
          maxMs: bucket.maxMs,
          p50Ms: percentileMs(bucket.latency, 50),
          p99Ms: percentileMs(bucket.latency, 99),
        },
      ]);
    });
    const instances: SeriesUpdate['instances'] = [];
    for (const traffic of this.recorder.instancesSoFar()) {
      const { id, release, firstMs, lastMs, requests, perInterval } = traffic;
      const reported = this.reportedInstances.get(id);
      if (reported?.length === perInterval.length && reported.requests === requests) continue;
      const from = Math.max(0, (reported?.length ?? 0) - RESENT_INTERVALS);
      this.reportedInstances.set(id, { length: perInterval.length, requests });
      instances.push({
        id,
        ...(release !== undefined ? { release } : {}),
        firstMs,
        lastMs,
        requests,
        from,
        perInterval: perInterval.slice(from),
      });
    }
    const slowMs = this.recorder.slowThresholdMs;
    return {
      intervalMs: this.recorder.intervalMs,
      ...(slowMs !== undefined ? { slowMs } : {}),
      intervals,
      instances,
    };
  }
}

/** One reporter's view, folded from its updates. */
interface SourceSeries {
  intervals: LiveInterval[];
  instances: Map<string, LiveTraffic>;
}

/**
 * A running trial's series, folded from the updates of one recorder or of several (worker
 * threads), and read merged: counts add up, the highest maximum wins. With several threads an
 * interval's p50 and p99 are the highest of the threads' (they send alike shares of one load);
 * the report's, from the merged histograms, are exact.
 */
export class LiveSeries {
  private readonly sources: SourceSeries[] = [];
  intervalMs = 0;
  slowMs: number | undefined;

  apply(source: number, update: SeriesUpdate): void {
    this.intervalMs = update.intervalMs;
    if (update.slowMs !== undefined) this.slowMs = update.slowMs;
    let series = this.sources[source];
    if (!series) {
      series = { intervals: [], instances: new Map() };
      this.sources[source] = series;
    }
    for (const [index, interval] of update.intervals) series.intervals[index] = interval;
    for (const { from, perInterval, ...traffic } of update.instances) {
      // In place: a long run's counts are not copied at every report.
      const counts = series.instances.get(traffic.id)?.perInterval ?? [];
      counts.length = Math.min(counts.length, from);
      while (counts.length < from) counts.push(0);
      for (const count of perInterval) counts.push(count);
      series.instances.set(traffic.id, { ...traffic, perInterval: counts });
    }
  }

  /** Every interval so far, merged; an interval no request started in has none. */
  intervals(): LiveInterval[] {
    const length = Math.max(0, ...this.sources.map((s) => s?.intervals.length ?? 0));
    return Array.from({ length }, (_, index) => {
      const merged: LiveInterval = { requests: 0, failures: 0, maxMs: 0, p50Ms: 0, p99Ms: 0 };
      for (const source of this.sources) {
        const interval = source?.intervals[index];
        if (!interval) continue;
        merged.requests += interval.requests;
        merged.failures += interval.failures;
        merged.maxMs = Math.max(merged.maxMs, interval.maxMs);
        merged.p50Ms = Math.max(merged.p50Ms, interval.p50Ms);
        merged.p99Ms = Math.max(merged.p99Ms, interval.p99Ms);
      }
      return merged;
    });
  }

  /** Each instance's traffic so far, merged, in order of its first answer. */
  instances(): LiveTraffic[] {
    const byId = new Map<string, LiveTraffic>();
    for (const source of this.sources) {
      for (const traffic of source?.instances.values() ?? []) {
        const into = byId.get(traffic.id);
        if (!into) {
          byId.set(traffic.id, { ...traffic, perInterval: [...traffic.perInterval] });
          continue;
        }
        into.release ??= traffic.release;
        into.firstMs = Math.min(into.firstMs, traffic.firstMs);
        into.lastMs = Math.max(into.lastMs, traffic.lastMs);
        into.requests += traffic.requests;
        traffic.perInterval.forEach((n, i) => {
          into.perInterval[i] = (into.perInterval[i] ?? 0) + n;
        });
      }
    }
    return [...byId.values()].sort(byFirstResponse);
  }
}
