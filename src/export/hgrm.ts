import { createLatencyHistogram, decodeHistogram, encodeHistogram } from '../results/histogram.ts';
import type { Exporter } from './exporter.ts';

/** Microseconds recorded, milliseconds shown: the unit HdrHistogram plotters expect for latency. */
const MICROS_PER_MS = 1000;
const TICKS_PER_HALF_DISTANCE = 5;

/** `<variant>.hgrm`: HdrHistogram's percentile distribution of every request, all trials together. */
export const hgrmExporter: Exporter<'hgrm'> = {
  name: 'hgrm',
  files: /^.+\.hgrm$/,
  render(run) {
    return run.results.variants.map((variant) => {
      const merged = createLatencyHistogram();
      for (const trial of variant.trials) {
        // Each trial as stored in results.json (a decoded histogram knows its maximum only to 3
        // significant digits), so that a run and its `bench report` print the very same file.
        merged.add(decodeHistogram(encodeHistogram(trial.recording.overall.latency)));
      }
      return {
        name: `${variant.name}.hgrm`,
        content: merged.outputPercentileDistribution(TICKS_PER_HALF_DISTANCE, MICROS_PER_MS),
      };
    });
  },
};
