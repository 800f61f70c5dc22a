import { FINDING_IDS, type Finding } from '../analysis/findings/finding.ts';
import type { RequestMetrics } from '../analysis/trial-metrics.ts';
import type { Phase } from '../results/recording.ts';
import type { Unit } from '../results/run.ts';

/** What a gate reads of one trial (or one endpoint of it): its figures, and its findings. */
export type GatedFigures = RequestMetrics & { findings: readonly Finding[] };

export interface GateMetric {
  /** How the metric is written in a gate, e.g. `longest` or `p99`. */
  name: string;
  unit: Unit;
  describe: string;
  /** Latency percentiles can be taken in one phase: `preboot.during.p99`. */
  byPhase: boolean;
  value(figures: GatedFigures, phase: Phase | 'overall'): number;
}

const metric = (
  name: string,
  unit: Unit,
  describe: string,
  value: (m: GatedFigures, phase: Phase | 'overall') => number,
  byPhase = false,
): GateMetric => ({ name, unit, describe, value, byPhase });

/** Every metric a gate can name. */
export const GATE_METRICS: readonly GateMetric[] = [
  metric(
    'longest',
    'ms',
    'longest transaction, failed requests included',
    (m) => m.longestTransactionMs,
  ),
  metric(
    'siege-longest',
    'ms',
    'longest successful transaction',
    (m) => m.siegeLongestTransactionMs,
  ),
  metric('user-wait', 'ms', 'longest user wait', (m) => m.longestUserWaitMs),
  metric('disruption', 'ms', 'time with failing or slow requests', (m) => m.disruptionMs),
  metric('impact-window', 'ms', 'first to last disrupted moment', (m) => m.impactWindowMs),
  metric('deploy-time', 'ms', 'from trigger to completion', (m) => m.deployDurationMs),
  metric('errors', 'count', 'failed requests', (m) => m.errors),
  metric('requests', 'count', 'requests made', (m) => m.requests),
  metric('availability', 'percent', 'successful requests, %', (m) => m.availability),
  metric('p50', 'ms', 'median latency', (m, phase) => m.latency[phase].p50, true),
  metric('p90', 'ms', '90th percentile latency', (m, phase) => m.latency[phase].p90, true),
  metric('p99', 'ms', '99th percentile latency', (m, phase) => m.latency[phase].p99, true),
  metric('p99.9', 'ms', '99.9th percentile latency', (m, phase) => m.latency[phase].p999, true),
  metric('max', 'ms', 'longest request', (m, phase) => m.latency[phase].max, true),
  metric('mean', 'ms', 'mean latency', (m, phase) => m.latency[phase].mean, true),
  metric(
    'findings',
    'count',
    'fault findings (docs/diagnosis.md)',
    (m) => m.findings.filter((f) => f.kind === 'fault').length,
  ),
  // `preboot.findings.nothing-up == 0`: one finding by its id, fault or information.
  ...FINDING_IDS.map((id) =>
    metric(
      `findings.${id}`,
      'count',
      `${id} findings`,
      (m) => m.findings.filter((f) => f.id === id).length,
    ),
  ),
];

export const PHASE_NAMES = ['before', 'during', 'after', 'overall'] as const;
