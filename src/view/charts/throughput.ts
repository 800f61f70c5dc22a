import type { ChartDataset } from 'chart.js';
import type { Point } from '../decimate.ts';
import type { ThroughputTrial } from '../view.ts';
import { type ChartSpec, line, lineChart, secondsAxis } from './style.ts';

/** Each variant's first trial (or the trial running now), with the colour of its variant. */
export function throughputChart(
  variants: readonly { name: string; trial: ThroughputTrial | undefined; colour: string }[],
): ChartSpec {
  const title = 'Throughput and errors';
  const spans = variants.flatMap((v) => (v.trial ? [v.trial.span] : []));
  const datasets: ChartDataset<'line', Point[]>[] = variants.flatMap(({ name, trial, colour }) => {
    if (!trial) return [];
    return [
      line(`${name} · requests/s`, trial.throughput, colour, 2),
      {
        ...line(`${name} · failed/s`, trial.errorRate, colour, 2),
        borderDash: [6, 4],
      },
    ];
  });
  return {
    id: 'throughput',
    kind: 'throughput',
    title,
    caption:
      "Requests per second (solid) and failed requests per second (dashed), each variant's first trial, aligned at the trigger.",
    height: 340,
    config: lineChart(title, datasets, {
      x: {
        type: 'linear',
        ...(spans.length > 0
          ? {
              min: Math.min(...spans.map((s) => s.from)),
              max: Math.max(...spans.map((s) => s.to)),
            }
          : {}),
        title: { display: true, text: secondsAxis(variants.map((v) => v.trial)) },
      },
      y: { min: 0, title: { display: true, text: 'per second' } },
    }),
  };
}
