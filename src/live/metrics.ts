import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  CONNECTION_KINDS,
  LATENCY_BOUNDS_MS,
  type LoadProgress,
  labelledIndex,
  OUTCOMES,
} from '../measured-load/counters.ts';
import type { LiveModel, LiveSnapshot } from './model.ts';

const PREFIX = 'deploy_bench_';
const PROCESS_STATES = ['booting', 'up', 'stopping', 'stopped'] as const;
const SEEN_STATES = ['answering', 'idle'] as const;
/** A scrape reads every gauge from one snapshot: one taken this recently is reused. */
const SNAPSHOT_REUSED_MS = 100;

const DURATION = `${PREFIX}request_duration_seconds`;
const DURATION_HELP = 'Latency of the requests answered or failed, from their start to their end.';

/**
 * A histogram whose buckets the load counts itself, on its hot path (measured-load/counters.ts):
 * prom-client's own would need every request's latency handed to this thread. It renders the
 * counted buckets through prom-client's registry, as a Histogram would, by the method the registry
 * renders a histogram with: an internal of prom-client, whose version is pinned (package.json) and
 * whose rendering a test reads (test/live/live-model.test.ts).
 */
class CountedHistogram extends Histogram<'variant'> {
  constructor(
    registry: Registry,
    private readonly read: () => Map<string, LoadProgress[]>,
  ) {
    super({
      name: DURATION,
      help: DURATION_HELP,
      labelNames: ['variant'],
      buckets: LATENCY_BOUNDS_MS.map((ms) => ms / 1000),
      registers: [registry],
    });
  }

  /**
   * What prom-client's registry renders a histogram from (and `get()` reads): the buckets the
   * load counted, cumulative as Prometheus wants them.
   */
  async getForPromString() {
    const values: {
      metricName: string;
      labels: Record<string, string>;
      sharedLabels: object;
      value: number;
    }[] = [];
    for (const [variant, trials] of this.read()) {
      const counts = LATENCY_BOUNDS_MS.map(() => 0);
      let overflow = 0;
      let sumMs = 0;
      for (const trial of trials) {
        trial.latencyBuckets.forEach((n, i) => {
          if (i < counts.length) counts[i] = (counts[i] ?? 0) + n;
          else overflow += n;
        });
        sumMs += trial.latencySumMs;
      }
      const value = (suffix: string, labels: Record<string, string>, n: number) =>
        values.push({ metricName: `${DURATION}${suffix}`, labels, sharedLabels: {}, value: n });
      let cumulative = 0;
      counts.forEach((n, i) => {
        cumulative += n;
        value(
          '_bucket',
          { variant, le: String((LATENCY_BOUNDS_MS[i] as number) / 1000) },
          cumulative,
        );
      });
      value('_bucket', { variant, le: '+Inf' }, cumulative + overflow);
      value('_sum', { variant }, sumMs / 1000);
      value('_count', { variant }, cumulative + overflow);
    }
    return { name: DURATION, help: DURATION_HELP, type: 'histogram', values, aggregator: 'sum' };
  }
}

/** What serving takes this process: its synchronous work, counted (`deploy_bench_serve_busy_seconds_total`). */
export interface ServingTime {
  seconds(): number;
  timed<T>(work: () => T): T;
}

/**
 * The run's Prometheus metrics, read from the live model at every scrape (docs/live.md): counters
 * over the whole run, gauges of now. Names and labels follow Prometheus' conventions: base units
 * (seconds, ratios), `_total` counters, and `target_instance` (Prometheus sets `instance` itself).
 */
export function liveRegistry(model: LiveModel, serving: ServingTime): Registry {
  const registry = new Registry();
  // One snapshot per scrape, however many gauges read it.
  let taken: { at: number; snapshot: LiveSnapshot } | undefined;
  const current = () => {
    const now = performance.now();
    if (!taken || now - taken.at > SNAPSHOT_REUSED_MS)
      taken = { at: now, snapshot: model.snapshot(now) };
    return taken.snapshot;
  };
  const endpoints = model.endpoints.length > 0 ? model.endpoints : [''];
  new Counter({
    name: `${PREFIX}requests_total`,
    help: 'Requests made by the simulated users (not the probe), by variant, endpoint, outcome and connection kind.',
    labelNames: ['variant', 'endpoint', 'outcome', 'connection'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [variant, trials] of serving.timed(() => model.countsByVariant())) {
        endpoints.forEach((endpoint, e) => {
          OUTCOMES.forEach((outcome, o) => {
            CONNECTION_KINDS.forEach((connection, c) => {
              const i = labelledIndex(e, o, c);
              const count = trials.reduce((sum, t) => sum + (t.labelled[i] ?? 0), 0);
              if (count > 0) this.inc({ variant, endpoint, outcome, connection }, count);
            });
          });
        });
      }
    },
  });
  new CountedHistogram(registry, () => serving.timed(() => model.countsByVariant()));
  new Gauge({
    name: `${PREFIX}requests_in_flight`,
    help: 'Requests sent and not yet answered, now.',
    labelNames: ['variant'],
    registers: [registry],
    collect() {
      this.reset();
      const live = current();
      if (live.trial && live.load) this.set({ variant: live.trial.variant }, live.load.inFlight);
    },
  });
  new Gauge({
    name: `${PREFIX}oldest_request_in_flight_seconds`,
    help: 'How long the oldest request in flight has waited so far (0 with none in flight).',
    labelNames: ['variant'],
    registers: [registry],
    collect() {
      this.reset();
      const live = current();
      if (live.trial && live.load)
        this.set({ variant: live.trial.variant }, live.load.oldestInFlightMs / 1000);
    },
  });
  new Gauge({
    name: `${PREFIX}instance_traffic_ratio`,
    help: "Each instance's share of the responses of the last few seconds (0 for a stopped process).",
    labelNames: ['variant', 'target_instance', 'release'],
    registers: [registry],
    collect() {
      this.reset();
      const live = current();
      for (const instance of live.instances)
        this.set(
          {
            variant: live.trial?.variant ?? '',
            target_instance: instance.id,
            release: instance.release ?? '',
          },
          instance.share,
        );
    },
  });
  new Gauge({
    name: `${PREFIX}instance_state`,
    help: "Each instance's state now: 1 for the state it is in, 0 for the others.",
    labelNames: ['variant', 'target_instance', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      const live = current();
      // The platform's processes have a life; the instances only the load saw, an activity.
      for (const instance of live.instances)
        for (const state of instance.state === 'answering' || instance.state === 'idle'
          ? SEEN_STATES
          : PROCESS_STATES)
          this.set(
            { variant: live.trial?.variant ?? '', target_instance: instance.id, state },
            instance.state === state ? 1 : 0,
          );
    },
  });
  new Gauge({
    name: `${PREFIX}deploy_phase`,
    help: "The running trial's deploy phases so far: 1 for the latest, 0 for those before it.",
    labelNames: ['variant', 'phase'],
    registers: [registry],
    collect() {
      this.reset();
      const live = current();
      const latest = live.timeline.at(-1)?.phase;
      for (const { phase } of live.timeline)
        this.set({ variant: live.trial?.variant ?? '', phase }, phase === latest ? 1 : 0);
    },
  });
  new Gauge({
    name: `${PREFIX}trial`,
    help: 'The trial running now, counted from 1 within its variant (absent between trials).',
    labelNames: ['variant'],
    registers: [registry],
    collect() {
      this.reset();
      const live = current();
      if (live.trial) this.set({ variant: live.trial.variant }, live.trial.trial);
    },
  });
  new Gauge({
    name: `${PREFIX}disruption_seconds`,
    help: 'Time users failed or waited past the slow threshold, so far (exact for ended trials).',
    labelNames: ['variant'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [variant, ms] of serving.timed(() => model.disruptionByVariant()))
        this.set({ variant }, ms / 1000);
    },
  });
  new Gauge({
    name: `${PREFIX}gate_failed`,
    help: 'Each gate: 1 once it failed (for good), else 0.',
    labelNames: ['gate'],
    registers: [registry],
    collect() {
      this.reset();
      for (const gate of serving.timed(() => model.gatesNow()))
        this.set({ gate: gate.expression }, gate.status === 'failed' ? 1 : 0);
    },
  });
  new Counter({
    name: `${PREFIX}serve_busy_seconds_total`,
    help: 'Time bench spent serving the page, /metrics and /gate: what serving took from the run.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(serving.seconds());
    },
  });
  new Gauge({
    name: `${PREFIX}run_ended`,
    help: '1 once the run ended and its reports were written, else 0.',
    registers: [registry],
    collect() {
      this.set(current().state === 'ended' ? 1 : 0);
    },
  });
  return registry;
}
