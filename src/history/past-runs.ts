import type { AnalysedRun, HistoryPlacer } from '../analysis/analyse.ts';
import { figureKey, type GateHistory, trialFigure } from '../gates/evaluate.ts';
import { GATE_METRICS } from '../gates/metrics.ts';
import type { Gate, MetricRef } from '../gates/parse.ts';
import type { HistoryFigure, HistoryPlace } from '../results/run.ts';
import type { Refusal, StoredRecord } from './folder.ts';
import type { HistoryRecord } from './record.ts';

/** Past runs needed before a history gate judges, unless `--history-min-runs` says otherwise. */
export const DEFAULT_MIN_RUNS = 10;

/** The figures every place shows of each variant, beside those its history gates name. */
const SHOWN = ['user-wait', 'errors'] as const;

type FigureRef = Pick<MetricRef, 'metric' | 'phase' | 'endpoint'>;

/**
 * A scenario's past runs, as its history gates read them and its reports place the run among them.
 * Only runs that completed are in a history, so every one counts.
 */
export class PastRuns implements GateHistory {
  readonly records: HistoryRecord[];

  constructor(
    stored: readonly StoredRecord[],
    readonly scenario: string,
    readonly minRuns: number,
  ) {
    this.records = stored.map((s) => s.record).filter((r) => r.scenario === scenario);
  }

  /** Each past run's values of one figure of a variant, one per trial; runs without it left out. */
  pastRuns(variant: string, figure: string): number[][] {
    return this.records.flatMap((record) => {
      const values = valuesIn(record, variant, figure);
      return values.length > 0 ? [values] : [];
    });
  }

  /**
   * How a run is placed among these: the figures its history gates name, and each variant's
   * longest user wait and failed requests, with the budgets its gates set.
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
        refused: [...refused],
        figures: figures.map((shown) => this.figure(run, shown)),
      };
      return place;
    };
  }

  private figure(
    run: Pick<AnalysedRun, 'variants' | 'gates'>,
    { variant, ref, gate }: ShownFigure,
  ): HistoryFigure {
    const key = figureKey(ref);
    const worst = ref.metric.unit === 'percent' ? Math.min : Math.max;
    const worstOf = (values: readonly number[]) => {
      const known = values.filter(Number.isFinite);
      return known.length > 0 ? worst(...known) : Number.NaN;
    };
    const trials = run.variants.find((v) => v.name === variant)?.trials ?? [];
    const value = worstOf(
      trials.filter((t) => t.result.status !== 'interrupted').map((t) => trialFigure(ref, t)),
    );
    const budget =
      gate === undefined
        ? undefined
        : run.gates.find((g) => g.source === gate && g.variant === variant && g.evaluated)
            ?.threshold;
    return {
      variant,
      figure: key,
      unit: ref.metric.unit,
      past: this.records.flatMap((record) => {
        const values = valuesIn(record, variant, key);
        if (values.length === 0) return [];
        const commit = record.source?.commit;
        return [
          { startedAt: record.startedAt, value: worstOf(values), ...(commit ? { commit } : {}) },
        ];
      }),
      value,
      ...(budget !== undefined ? { budget } : {}),
    };
  }
}

function valuesIn(record: HistoryRecord, variant: string, figure: string): number[] {
  const trials = record.variants.find((v) => v.name === variant)?.trials ?? [];
  return trials.flatMap((t) =>
    Object.hasOwn(t.figures, figure) ? [t.figures[figure] as number] : [],
  );
}

/** The history gates' figures per variant, then the ones every place shows, each once. */
interface ShownFigure {
  variant: string;
  ref: FigureRef;
  /** The history gate that names it, whose budget is drawn with it. */
  gate?: string;
}

function shownFigures(gates: readonly Gate[], variants: readonly string[]): ShownFigure[] {
  const shown = new Map<string, ShownFigure>();
  const add = (figure: ShownFigure) => {
    const key = `${figure.variant}\n${figureKey(figure.ref)}`;
    if (variants.includes(figure.variant) && !shown.has(key)) shown.set(key, figure);
  };
  for (const gate of gates) {
    if (gate.right.kind !== 'history') continue;
    const names = gate.left.variant === '*' ? variants : [gate.left.variant];
    for (const variant of names) add({ variant, ref: gate.left, gate: gate.source });
  }
  for (const name of variants) {
    for (const metricName of SHOWN) {
      const metric = GATE_METRICS.find((m) => m.name === metricName);
      if (metric) add({ variant: name, ref: { metric, phase: 'overall' } });
    }
  }
  return [...shown.values()];
}
