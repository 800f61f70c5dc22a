import type { AnalysedRun, HistoryPlacer } from '../analysis/analyse.ts';
import { aggregate, figureKey, type GateHistory, takenAs, trialFigure } from '../gates/evaluate.ts';
import { GATE_METRICS } from '../gates/metrics.ts';
import type { Aggregation, Gate, MetricRef } from '../gates/parse.ts';
import type { HistoryFigure, HistoryPlace } from '../results/run.ts';
import type { Refusal, StoredRecord } from './folder.ts';
import {
  type HistoryRecord,
  type RunConditions,
  recordedGateFigure,
  sameConditions,
  valuesIn,
} from './record.ts';

/** Past runs needed before a history gate judges, unless `--history-min-runs` says otherwise. */
export const DEFAULT_MIN_RUNS = 10;

/** The figures every place shows of each variant, beside those its history gates name. */
const SHOWN = ['user-wait', 'errors'] as const;

type FigureRef = Pick<MetricRef, 'metric' | 'phase' | 'endpoint'>;

/**
 * A scenario's past runs, as its history gates read them and its reports place the run among them:
 * the runs measured under the same conditions (load, trials). A past run that failed a gate on a
 * figure is left out of that figure's budget: a regression let into the history would raise the
 * budget it broke, and a re-run would pass.
 */
export class PastRuns implements GateHistory {
  /** The scenario's runs measured as this one is, oldest first. */
  readonly records: HistoryRecord[];
  /** The scenario's runs measured otherwise (another load or number of trials): not counted. */
  readonly otherConditions: number;

  constructor(
    stored: readonly StoredRecord[],
    readonly scenario: string,
    conditions: RunConditions,
    readonly minRuns: number,
  ) {
    const own = stored.map((s) => s.record).filter((r) => r.scenario === scenario);
    this.records = own.filter((r) => sameConditions(r.conditions, conditions));
    this.otherConditions = own.length - this.records.length;
  }

  /** Each counted past run's values of one figure of a variant, one per trial. */
  pastRuns(variant: string, figure: string): number[][] {
    return this.counted(variant, figure).map((record) => valuesIn(record, variant, figure));
  }

  /** The past runs that have the figure and did not fail a gate on it. */
  private counted(variant: string, figure: string): HistoryRecord[] {
    return this.records.filter(
      (record) =>
        valuesIn(record, variant, figure).length > 0 && !failedOn(record, variant, figure),
    );
  }

  /** What is not counted for a figure: runs that failed a gate on it, runs under other conditions. */
  leftOut(variant: string, figure: string): string | undefined {
    const failed = this.records.filter((r) => failedOn(r, variant, figure)).length;
    const parts = [
      ...(failed > 0 ? [`${failed} that failed a gate on it`] : []),
      ...(this.otherConditions > 0
        ? [`${this.otherConditions} under another load or number of trials`]
        : []),
    ];
    return parts.length > 0 ? parts.join(', ') : undefined;
  }

  /**
   * How a run is placed among these: the figures its history gates name (taken as those gates take
   * them), and each variant's longest user wait and failed requests, with the budgets its gates set.
   */
  placer(gates: readonly Gate[], folder: string, refused: readonly Refusal[]): HistoryPlacer {
    return (run) => {
      const figures = shownFigures(
        gates,
        run.variants.map((v) => v.name),
      );
      const place: HistoryPlace = {
        folder,
        runs: this.records.length,
        ...(this.otherConditions > 0 ? { otherConditions: this.otherConditions } : {}),
        refused: [...refused],
        figures: figures.map((shown) => this.figure(run, shown)),
      };
      return place;
    };
  }

  private figure(
    run: Pick<AnalysedRun, 'variants' | 'gates'>,
    { variant, ref, gate, how, lowerIsWorse }: ShownFigure,
  ): HistoryFigure {
    const key = figureKey(ref);
    const trials = run.variants.find((v) => v.name === variant)?.trials ?? [];
    const value = aggregate(
      trials.filter((t) => t.result.status !== 'interrupted').map((t) => trialFigure(ref, t)),
      how,
    );
    const budget =
      gate === undefined
        ? undefined
        : run.gates.find((g) => g.source === gate && g.variant === variant && g.evaluated)
            ?.threshold;
    const failed = this.records.filter((r) => failedOn(r, variant, key)).length;
    return {
      variant,
      figure: key,
      unit: ref.metric.unit,
      ...(failed > 0 ? { failedNotCounted: failed } : {}),
      ...(lowerIsWorse ? { lowerIsWorse } : {}),
      past: this.counted(variant, key).map((record) => {
        const commit = record.source?.commit;
        return {
          startedAt: record.startedAt,
          value: aggregate(valuesIn(record, variant, key), how),
          ...(commit ? { commit } : {}),
        };
      }),
      value,
      ...(budget !== undefined ? { budget } : {}),
    };
  }
}

/** Whether a past run failed a gate on this figure of this variant. */
function failedOn(record: HistoryRecord, variant: string, figure: string): boolean {
  return record.gates.some(
    (g) =>
      g.variant === variant && g.evaluated && !g.passed && recordedGateFigure(g)?.figure === figure,
  );
}

interface ShownFigure {
  variant: string;
  ref: FigureRef;
  /** The history gate that names it, whose budget is drawn with it. */
  gate?: string;
  /** How the trials are taken, and which way is worse: as that gate does. */
  how: Aggregation;
  lowerIsWorse: boolean;
}

/** The history gates' figures per variant, then the ones every place shows, each once. */
function shownFigures(gates: readonly Gate[], variants: readonly string[]): ShownFigure[] {
  const shown = new Map<string, ShownFigure>();
  const add = (figure: ShownFigure) => {
    const key = `${figure.variant}\n${figureKey(figure.ref)}`;
    if (variants.includes(figure.variant) && !shown.has(key)) shown.set(key, figure);
  };
  for (const gate of gates) {
    if (gate.right.kind !== 'history') continue;
    const names = gate.left.variant === '*' ? variants : [gate.left.variant];
    for (const variant of names)
      add({ variant, ref: gate.left, gate: gate.source, ...takenAs(gate) });
  }
  for (const name of variants) {
    for (const metricName of SHOWN) {
      const metric = GATE_METRICS.find((m) => m.name === metricName);
      if (metric)
        add({ variant: name, ref: { metric, phase: 'overall' }, how: 'max', lowerIsWorse: false });
    }
  }
  return [...shown.values()];
}
