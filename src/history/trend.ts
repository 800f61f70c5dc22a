import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { aggregate } from '../gates/evaluate.ts';
import { GATE_METRICS, type GateMetric } from '../gates/metrics.ts';
import type { Aggregation } from '../gates/parse.ts';
import type { Unit } from '../results/run.ts';
import type { TrendPoint } from '../view/charts/trend.ts';
import type { Refusal, StoredRecord } from './folder.ts';
import { type HistoryRecord, type RunConditions, recordedGateFigure, valuesIn } from './record.ts';

/** Conditions in words: "2 users (closed model), keep-alive, 1 endpoint, 1 trial". */
export function conditionsText(c: RunConditions): string {
  const load =
    c.model === 'closed'
      ? `${c.load} user${c.load === 1 ? '' : 's'} (closed model)`
      : `${c.load}/s (open model)`;
  return [
    c.watch ? 'bench watch' : undefined,
    load,
    c.keepAlive ? 'keep-alive' : 'a connection a request',
    `${c.endpoints} endpoint${c.endpoints === 1 ? '' : 's'}`,
    `${c.trials} trial${c.trials === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** A history folder's runs, per scenario, as the trend page and its Markdown show them. */
export interface Trend {
  folder: string;
  scenarios: ScenarioTrend[];
  refused: Refusal[];
}

/**
 * One scenario's runs under one set of conditions: runs under another load or number of trials are
 * a trend of their own, as they are a budget of their own.
 */
export interface ScenarioTrend {
  scenario: string;
  conditions: RunConditions;
  /** The conditions in words, when the scenario ran under more than one set. */
  label?: string;
  runs: TrendRun[];
  series: FigureTrend[];
}

/** A run of the scenario, oldest first; `number` counts from 1. */
export interface TrendRun {
  number: number;
  file: string;
  startedAt: string;
  commit?: string;
  branch?: string;
  /** Its report's page, still on disk: a path from the trend's folder. */
  report?: string;
  /** Its CI job's page. */
  url?: string;
  /** The gates it failed, as they read then. */
  failed: string[];
  /** Its gates that were judged, and those not judged for want of history. */
  judged: number;
  waiting: number;
}

/** One figure of one variant over the runs. */
export interface FigureTrend {
  variant: string;
  /** As a gate names it after the variant: `user-wait`, `during.p99`. */
  figure: string;
  unit: Unit;
  /** One per run, in the order of `runs`; NaN where the run has no value. */
  points: TrendPoint[];
}

/** The figures every trend shows of each variant, beside those its gates name. */
const SHOWN = ['user-wait', 'errors'];

/**
 * The trend of every scenario in the folder. `outDir` is where the page goes: a run's report is
 * linked from there when its file is still at hand, else its CI job's page when the record has one.
 */
export function buildTrend(
  folder: string,
  stored: readonly StoredRecord[],
  refused: readonly Refusal[],
  outDir: string,
): Trend {
  const groups = new Map<string, StoredRecord[]>();
  for (const s of stored) {
    const key = JSON.stringify([s.record.scenario, conditionsText(s.record.conditions)]);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const perScenario = (name: string) =>
    [...groups.values()].filter((g) => g[0]?.record.scenario === name).length;
  return {
    folder,
    refused: [...refused],
    scenarios: [...groups.values()].map((own) => {
      const { scenario, conditions } = (own[0] as StoredRecord).record;
      const runs = own.map((s, i) => trendRun(s, i + 1, folder, outDir));
      return {
        scenario,
        conditions,
        ...(perScenario(scenario) > 1 ? { label: conditionsText(conditions) } : {}),
        runs,
        series: seriesOf(
          own.map((s) => s.record),
          runs,
        ),
      };
    }),
  };
}

function trendRun(stored: StoredRecord, number: number, folder: string, outDir: string): TrendRun {
  const { record } = stored;
  const report = reportLink(record, folder, outDir);
  return {
    number,
    file: stored.file,
    startedAt: record.startedAt,
    ...(record.source?.commit ? { commit: record.source.commit } : {}),
    ...(record.source?.branch ? { branch: record.source.branch } : {}),
    ...(report ? { report } : {}),
    ...(record.source?.url ? { url: record.source.url } : {}),
    failed: record.gates.filter((g) => g.evaluated && !g.passed).map((g) => g.expression),
    judged: record.gates.filter((g) => g.evaluated).length,
    waiting: record.gates.filter((g) => !g.evaluated).length,
  };
}

/**
 * Where a run's report is, when its page is still there and still that run's (CI writes every run
 * to the same folder: its results.json must say the run's start): relative to the trend's folder.
 * A record's path is only ever resolved and read, never written to.
 */
function reportLink(record: HistoryRecord, folder: string, outDir: string): string | undefined {
  if (!record.report || path.basename(record.report) !== 'index.html') return undefined;
  const page = path.resolve(folder, record.report);
  if (!existsSync(page) || !startedAtOf(path.join(path.dirname(page), 'results.json'), record))
    return undefined;
  const relative = path.relative(path.resolve(outDir), page).split(path.sep).join('/');
  return relative.split('/').map(encodeURIComponent).join('/');
}

/** Whether a results.json is the record's run: its start, near its top, is the record's. */
function startedAtOf(file: string, record: HistoryRecord): boolean {
  let handle: number | undefined;
  try {
    handle = openSync(file, 'r');
    const head = Buffer.alloc(2048);
    const read = readSync(handle, head, 0, head.length, 0);
    return head.subarray(0, read).includes(`"startedAt": ${JSON.stringify(record.startedAt)}`);
  } catch {
    return false;
  } finally {
    if (handle !== undefined) closeSync(handle);
  }
}

/** A figure's gate metric, from its name: the metric is its last part. */
function metricOf(figure: string): GateMetric | undefined {
  return [...GATE_METRICS]
    .sort((a, b) => b.name.length - a.name.length)
    .find((m) => figure === m.name || figure.endsWith(`.${m.name}`));
}

/** A figure of a variant to draw, taken as its latest gate takes it. */
interface Wanted {
  variant: string;
  figure: string;
  how: Aggregation;
  lowerIsWorse: boolean;
}

function seriesOf(records: readonly HistoryRecord[], runs: readonly TrendRun[]): FigureTrend[] {
  const variants = [...new Set(records.flatMap((r) => r.variants.map((v) => v.name)))];
  // The gated figures first (those with a budget before the others), then the usual ones.
  const wanted = new Map<string, Wanted>();
  const add = (want: Wanted) => {
    const key = `${want.variant}\n${want.figure}`;
    if (metricOf(want.figure) && !wanted.has(key)) wanted.set(key, want);
  };
  // Newest first: a figure is taken as its latest gate takes it.
  const gates = records.flatMap((r) => r.gates).reverse();
  for (const gate of [...gates.filter((g) => g.budget), ...gates]) {
    const read = recordedGateFigure(gate);
    if (read) add({ variant: gate.variant, ...read });
  }
  for (const variant of variants)
    for (const figure of SHOWN) add({ variant, figure, how: 'max', lowerIsWorse: false });
  return [...wanted.values()].map(({ variant, figure, how }) => {
    const unit = (metricOf(figure) as GateMetric).unit;
    return {
      variant,
      figure,
      unit,
      points: records.map((record, i) => {
        const values = valuesIn(record, variant, figure);
        const onFigure = record.gates.filter(
          (g) => g.variant === variant && g.evaluated && recordedGateFigure(g)?.figure === figure,
        );
        // The budget this run was held to: its history gate's, else any other gate's threshold.
        const held = onFigure.find((g) => g.budget) ?? onFigure[0];
        const run = runs[i] as TrendRun;
        return {
          label: `#${run.number}`,
          value: aggregate(values, how),
          ...(held?.threshold !== null && held?.threshold !== undefined
            ? { budget: held.threshold }
            : {}),
          ...(onFigure.some((g) => !g.passed) ? { broke: true } : {}),
          // The page links the report on disk first: it opens the run's own figures.
          ...((run.report ?? run.url) ? { link: (run.report ?? run.url) as string } : {}),
        };
      }),
    };
  });
}
