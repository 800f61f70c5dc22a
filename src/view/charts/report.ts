import { mapStrings, showControls } from '../../text/escape.ts';
import type { RunView } from '../view.ts';
import { lanesChart } from './lanes.ts';
import { latencyChart, latencyRange } from './latency.ts';
import { percentileChart } from './percentiles.ts';
import { type ChartSpec, colourOf } from './style.ts';
import { throughputChart } from './throughput.ts';
import { waitsChart } from './waits.ts';

/** Every chart of a report, in the order the page shows them. */
export function buildCharts(view: RunView): ChartSpec[] {
  const range = latencyRange(view.variants.flatMap((v) => v.trials));
  const charts = [
    // A target that names neither instance nor release has no lanes to draw (a notice says so).
    ...view.variants.flatMap((variant, i) =>
      (variant.trials[0]?.instances.length ?? 0) > 0
        ? [lanesChart(variant.name, variant.trials[0], variant.trials.length, colourOf(i))]
        : [],
    ),
    waitsChart(view),
    ...view.variants.map((variant, i) =>
      latencyChart(variant.name, variant.trials, colourOf(i), range),
    ),
    throughputChart(
      view.variants.map((v, i) => ({ name: v.name, trial: v.trials[0], colour: colourOf(i) })),
    ),
    percentileChart(view),
  ];
  return shownNotActedOn(charts);
}

/**
 * Labels and tooltips carry instance names and deploy details from outside: a browser or canvas
 * draws what it is given, so they are shown, not acted on, like everywhere else.
 */
export function shownNotActedOn(charts: ChartSpec[]): ChartSpec[] {
  return mapStrings(charts, (text) => showControls(text, 'newlines'));
}
