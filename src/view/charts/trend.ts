import type { Unit } from '../../results/run.ts';
import { type ChartSpec, common, FAILURE_COLOUR } from './style.ts';

/** One run on a figure's trend: its value, the budget its gate set, and whether it broke it. */
export interface TrendPoint {
  /** On the x axis: the run's number, its commit, or "this run". */
  label: string;
  value: number;
  budget?: number;
  /** A gate on this figure failed in this run. */
  broke?: boolean;
  /** The run a report is about, among its past ones. */
  current?: boolean;
  /** Its report, for a click on the point. */
  link?: string;
}

/** A figure of a variant over runs, oldest first. */
export interface TrendSeries {
  id: string;
  title: string;
  unit: Unit;
  colour: string;
  points: readonly TrendPoint[];
}

/** A trend chart, and for each point the report a click on it opens (or null). */
export type TrendChart = ChartSpec & { links: (string | null)[] };

const UNIT_AXIS: Record<Unit, string> = {
  ms: 'milliseconds',
  count: 'count',
  percent: '%',
};

/**
 * A figure over runs: the values as a line of points, each run that broke its budget a larger red
 * point, and the budget each run was held to as a dashed step line.
 */
export function trendChart(series: TrendSeries): TrendChart {
  const { points } = series;
  const known = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  const marked = <T>(pick: (p: TrendPoint) => boolean, yes: T, no: T): T[] =>
    points.map((p) => (pick(p) ? yes : no));
  const budgets = points.map((p) => known(p.budget));
  const broken = points.filter((p) => p.broke).length;
  return {
    id: series.id,
    kind: 'trend',
    title: series.title,
    caption: `${points.length} run${points.length === 1 ? '' : 's'}${
      broken > 0 ? `, ${broken} over the budget (red)` : ''
    }${budgets.some((b) => b !== null) ? '; dashed: the budget each run was held to' : ''}.`,
    height: 260,
    links: points.map((p) => p.link ?? null),
    config: {
      type: 'line',
      data: {
        labels: points.map((p) => p.label),
        datasets: [
          {
            type: 'line',
            label: series.title,
            data: points.map((p) => known(p.value)),
            borderColor: series.colour,
            backgroundColor: marked((p) => p.broke === true, FAILURE_COLOUR, series.colour),
            pointBackgroundColor: marked((p) => p.broke === true, FAILURE_COLOUR, series.colour),
            pointBorderColor: marked((p) => p.current === true, '#222222', series.colour),
            pointRadius: marked((p) => p.broke === true || p.current === true, 6, 3),
            pointStyle: marked((p) => p.broke === true, 'triangle', 'circle'),
            borderWidth: 2,
          },
          ...(budgets.some((b) => b !== null)
            ? [
                {
                  type: 'line' as const,
                  label: 'budget',
                  data: budgets,
                  borderColor: '#555555',
                  backgroundColor: '#555555',
                  borderDash: [6, 4],
                  borderWidth: 1.5,
                  // A dash at each run: a budget set on one run alone still shows.
                  pointStyle: 'line' as const,
                  pointRadius: 7,
                  stepped: 'middle' as const,
                  spanGaps: false,
                },
              ]
            : []),
        ],
      },
      options: {
        ...common(series.title),
        scales: {
          x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } },
          y: {
            beginAtZero: true,
            title: { display: true, text: UNIT_AXIS[series.unit] },
          },
        },
      },
    },
  };
}
