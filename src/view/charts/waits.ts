import { formatMs } from '../../text/format.ts';
import type { RunView } from '../view.ts';
import { type AnnotationOptions, type ChartSpec, colourOf, common } from './style.ts';

/** The figure the verdict ranks by first, per variant, with its value written at the bar's end. */
export function waitsChart(view: RunView): ChartSpec {
  const title = 'Longest user wait';
  const labels = view.variants.map((v) => v.name);
  const waits = view.variants.map((v) => v.summary.metrics.longestUserWaitMs.median);
  const known = waits.filter((w) => Number.isFinite(w) && w > 0);
  // A log axis, so that a 100 ms bar shows beside a 30 s one, with a decade to spare on the right.
  const min = 10 ** Math.floor(Math.log10(Math.min(...known, 10)));
  const max = 10 ** (Math.ceil(Math.log10(Math.max(...known, 10))) + 1);
  const share = (ms: number) => Math.log10(Math.max(ms, min) / min) / Math.log10(max / min);
  const annotations: Record<string, AnnotationOptions> = {};
  view.variants.forEach((variant, i) => {
    const wait = waits[i] as number;
    const failed = variant.summary.metrics.errors.median;
    // The value at the bar's end: inside a long bar (white), after a short one.
    const inside = Number.isFinite(wait) && share(wait) > 0.55;
    annotations[`value-${i}`] = {
      type: 'label',
      xValue: Number.isFinite(wait) ? Math.max(wait, min) : min,
      yValue: variant.name,
      content: Number.isFinite(wait)
        ? `${formatMs(wait)} · ${failed} failed${variant.summary.trials > 1 ? ' (median)' : ''}`
        : 'not measured',
      position: { x: inside ? 'end' : 'start', y: 'center' },
      xAdjust: inside ? -6 : 6,
      color: inside ? '#ffffff' : '#222222',
      font: { size: 12, weight: 'bold' },
    };
  });
  return {
    id: 'waits',
    kind: 'waits',
    title,
    caption:
      'What the verdict ranks by first: for each user, from the start of a request that failed to the end of their next success (a request’s own time when nothing failed); the longest, median over trials. Log scale.',
    height: Math.max(150, 90 + 44 * view.variants.length),
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'longest user wait',
            data: waits.map((w) => (Number.isFinite(w) ? Math.max(w, min) : null)),
            backgroundColor: view.variants.map((_, i) => colourOf(i)),
            barPercentage: 0.7,
          },
        ],
      },
      options: {
        ...common(title, annotations),
        indexAxis: 'y',
        plugins: {
          ...common(title, annotations).plugins,
          legend: { display: false },
        },
        scales: {
          x: {
            type: 'logarithmic',
            min,
            max,
            ticks: { maxRotation: 0, autoSkipPadding: 16 },
            title: { display: true, text: 'milliseconds (log scale)' },
          },
          y: { type: 'category' },
        },
      },
    },
  };
}
