import { percentileMs } from '../../results/histogram.ts';
import type { RunView } from '../view.ts';
import { type ChartSpec, colourOf, line, lineChart } from './style.ts';

/** The percentile levels of an HdrHistogram plot, as "1 in N". */
const PERCENTILES = [0, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999];

export function percentileChart(view: RunView): ChartSpec {
  const title = 'Latency by percentile';
  const datasets = view.variants.map((variant, i) => {
    const { overall } = variant;
    const count = overall.requests;
    const points = PERCENTILES.filter((p) => p === 0 || 100 / (100 - p) <= count).map((p) => ({
      x: 100 / (100 - p),
      y: percentileMs(overall.latency, p),
    }));
    if (count > 0) points.push({ x: Math.max(count, 2), y: overall.maxMs });
    return line(variant.name, points, colourOf(i), 2, 3);
  });
  return {
    id: 'percentiles',
    kind: 'percentiles',
    title,
    caption:
      'HdrHistogram style: the latency that 1 request in N exceeded (N = 2 is the median, 100 is p99), all trials of each variant together; the last point is the maximum.',
    height: 340,
    config: lineChart(title, datasets, {
      x: { type: 'logarithmic', title: { display: true, text: '1 in N requests (log scale)' } },
      y: { type: 'logarithmic', title: { display: true, text: 'latency (ms, log scale)' } },
    }),
  };
}
