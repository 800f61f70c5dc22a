import { formatValue, statisticOf } from '../gates/evaluate.ts';
import type { HistoryFigure, HistoryPlace } from '../results/run.ts';
import { colourOf } from './charts/style.ts';
import { type TrendChart, trendChart } from './charts/trend.ts';

/** One figure of the run against its past runs, in words, as every report shows it. */
export interface PlaceRow {
  variant: string;
  figure: string;
  value: string;
  median: string;
  p95: string;
  /** The worst past value: the largest, or the smallest when lower is worse. */
  worst: string;
  /** "worse than 19 of 20", "no worse than any of 20". */
  place: string;
  budget: string;
  /** Over the budget its gate set. */
  over: boolean;
}

/** The columns of a place's table, after the variant. */
export const PLACE_COLUMNS = [
  'figure',
  'this run',
  'past median',
  'past p95',
  'past worst',
  'place',
  'budget',
] as const;

/** The line above the rows: how many past runs, where, and what was refused. */
export function placeLine(place: HistoryPlace): string {
  const refused =
    place.refused.length > 0
      ? ` (${place.refused.length} file${place.refused.length === 1 ? '' : 's'} not counted: ${place.refused[0]?.file}: ${place.refused[0]?.reason}${place.refused.length > 1 ? '; …' : ''})`
      : '';
  const others = place.otherConditions
    ? ` (${place.otherConditions} more under another load or number of trials, not counted)`
    : '';
  return `Against ${place.runs} past run${place.runs === 1 ? '' : 's'} of this scenario in ${place.folder}${others}${refused}.`;
}

/** Whether `a` is worse than `b` for this figure: lower for a `>=` gate's, else higher. */
function worse(figure: Pick<HistoryFigure, 'lowerIsWorse'>, a: number, b: number): boolean {
  return figure.lowerIsWorse ? a < b : a > b;
}

export function placeRows(place: HistoryPlace): PlaceRow[] {
  return place.figures.map((figure) => {
    const past = figure.past.map((p) => p.value).filter(Number.isFinite);
    const show = (value: number) => formatValue(value, figure.unit);
    const worseThan = past.filter((p) => worse(figure, figure.value, p)).length;
    const over =
      figure.budget !== undefined &&
      Number.isFinite(figure.budget) &&
      worse(figure, figure.value, figure.budget);
    return {
      variant: figure.variant,
      figure: figure.figure,
      value: show(figure.value),
      median: show(statisticOf(past, { name: 'median' })),
      p95: show(statisticOf(past, { percentile: 95 })),
      worst: show(statisticOf(past, { name: figure.lowerIsWorse ? 'min' : 'max' })),
      place: `${
        past.length === 0
          ? 'no past run'
          : worseThan === 0
            ? `no worse than any of ${past.length}`
            : `worse than ${worseThan} of ${past.length}`
      }${
        figure.failedNotCounted
          ? ` (${figure.failedNotCounted} that failed a gate on it not counted)`
          : ''
      }`,
      budget: figure.budget === undefined ? '—' : show(figure.budget),
      over,
    };
  });
}

/** Each figure's past runs and this one (the last point), with the budget it was held to. */
export function placeCharts(place: HistoryPlace): TrendChart[] {
  const variants = [...new Set(place.figures.map((f) => f.variant))];
  return place.figures.map((figure, i) => {
    const budget =
      figure.budget !== undefined && Number.isFinite(figure.budget) ? figure.budget : undefined;
    const held = budget === undefined ? {} : { budget };
    return trendChart({
      id: `history-${i}`,
      title: `${figure.variant} ${figure.figure}`,
      unit: figure.unit,
      colour: colourOf(variants.indexOf(figure.variant)),
      points: [
        ...figure.past.map((p, n) => ({
          label: p.commit ? p.commit.slice(0, 7) : `#${n + 1}`,
          value: p.value,
          ...held,
        })),
        {
          label: 'this run',
          value: figure.value,
          current: true,
          ...held,
          ...(budget !== undefined && worse(figure, figure.value, budget) ? { broke: true } : {}),
        },
      ],
    });
  });
}
