import type { ChartDataset } from 'chart.js';
import type { Point } from '../decimate.ts';
import { type LatencyTrial, LONGEST_MARKED } from '../view.ts';
import {
  type AnnotationOptions,
  box,
  type ChartSpec,
  common,
  FAILURE_COLOUR,
  line,
  phaseAnnotations,
  secondsAxis,
  withAlpha,
} from './style.ts';

/** One y range for every variant's latency chart: equal-looking spikes are equal. */
export function latencyRange(trials: readonly LatencyTrial[]): { min: number; max: number } {
  const values = trials.flatMap((t) => [
    ...t.latency.p50.map((p) => p.y),
    ...t.latency.max.map((p) => p.y),
    ...t.longest.map((l) => l.latencyMs),
  ]);
  const known = values.filter((y) => Number.isFinite(y) && y > 0);
  if (known.length === 0) return { min: 1, max: 1000 };
  return {
    min: 10 ** Math.floor(Math.log10(Math.min(...known))),
    // Above the largest value, so that its marker is drawn whole.
    max: 10 ** Math.ceil(Math.log10(Math.max(...known) * 1.5)),
  };
}

export function latencyChart(
  variant: string,
  trials: readonly LatencyTrial[],
  colour: string,
  range: { min: number; max: number },
): ChartSpec {
  const [first, ...others] = trials;
  const datasets: ChartDataset<'line' | 'scatter', Point[]>[] = [];
  if (first) {
    datasets.push(
      line(`max · trial ${first.trial}`, first.latency.max, colour, 2, 2),
      line(`p99 · trial ${first.trial}`, first.latency.p99, withAlpha(colour, 0.6), 1),
      line(`p50 · trial ${first.trial}`, first.latency.p50, '#7f7f7f', 1),
    );
  }
  for (const trial of others)
    datasets.push(
      line(`max · trial ${trial.trial}`, trial.latency.max, withAlpha(colour, 0.33), 1),
    );
  const failed = trials.flatMap((t) => t.failures.map(({ x, y }) => ({ x, y })));
  if (failed.length > 0) {
    datasets.push({
      type: 'scatter',
      label: 'interval with failed requests',
      data: failed,
      pointStyle: 'crossRot',
      pointRadius: 7,
      borderWidth: 2,
      borderColor: FAILURE_COLOUR,
      backgroundColor: FAILURE_COLOUR,
    });
  }
  const longest = trials.flatMap((t) =>
    t.longest.slice(0, LONGEST_MARKED).map((l) => ({ x: l.at, y: l.latencyMs })),
  );
  datasets.push({
    type: 'scatter',
    label: 'longest transactions (at their start)',
    data: longest,
    pointStyle: 'triangle',
    pointRadius: 5,
    borderColor: '#000000',
    backgroundColor: '#ffbf00',
  });
  const annotations: Record<string, AnnotationOptions> = {};
  first?.quiet.forEach(([from, to], i) => {
    annotations[`quiet-${i}`] = box(from, to, 'rgba(90, 90, 90, 0.14)');
  });
  first?.allFailed.forEach(([from, to], i) => {
    annotations[`all-failed-${i}`] = box(from, to, 'rgba(214, 39, 40, 0.18)');
  });
  Object.assign(annotations, phaseAnnotations(first, 'beforeDatasetsDraw'));
  return {
    id: `latency-${variant}`,
    kind: 'latency',
    title: `Latency over time — ${variant}`,
    caption:
      'Each point is one interval: its longest request, p99 and p50, placed where the requests started. Crosses: intervals with failed requests; triangles: the longest transactions. Grey: no request started (every user was waiting); red: every request failed. The amber band is the deploy, dashed lines its phases. All variants share one scale.',
    height: 340,
    config: {
      type: 'line',
      data: { datasets: datasets as ChartDataset<'line', Point[]>[] },
      options: {
        ...common(`Latency over time — ${variant}`, annotations),
        scales: {
          x: {
            type: 'linear',
            ...(first ? { min: first.span.from, max: first.span.to } : {}),
            title: { display: true, text: secondsAxis([first]) },
          },
          y: {
            type: 'logarithmic',
            min: range.min,
            max: range.max,
            title: { display: true, text: 'latency (ms, log scale)' },
          },
        },
      },
    },
  };
}
