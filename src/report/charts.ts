import type { ChartConfiguration, ChartDataset, ChartType } from 'chart.js';
import { percentileMs } from '../record/histogram.ts';
import type { Point } from './decimate.ts';
import type { ReportView, TrialView, VariantView } from './view.ts';

/**
 * Every chart of a report, as plain Chart.js configurations (JSON only, no functions), so that the
 * HTML page and the PNG renderer draw the very same charts.
 */
export interface ChartSpec {
  /** Also the PNG's file name: `${id}.png`. */
  id: string;
  title: string;
  caption: string;
  config: ChartConfiguration;
}

const VARIANT_COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const RELEASE_COLOURS = ['#9ecae1', '#3182bd', '#fdae6b', '#e6550d', '#a1d99b', '#31a354'];
const PHASE_COLOURS: Record<string, string> = {
  booting: '#1f77b4',
  up: '#2ca02c',
  switched: '#2ca02c',
  stopping: '#d62728',
  stopped: '#d62728',
  completed: '#555555',
  failed: '#d62728',
};
/**
 * The two kinds of chartjs-plugin-annotation options we draw. (The plugin's own types use
 * extensionless imports that NodeNext resolution cannot follow.)
 */
type DrawTime = 'beforeDatasetsDraw' | 'afterDatasetsDraw';
type AnnotationOptions =
  | {
      type: 'box';
      drawTime: DrawTime;
      xMin: number;
      xMax: number;
      backgroundColor: string;
      borderWidth: number;
    }
  | {
      type: 'line';
      drawTime: DrawTime;
      xMin: number;
      xMax: number;
      borderColor: string;
      borderWidth: number;
      borderDash: number[];
      label: {
        display: boolean;
        content: string;
        position: 'start' | 'end';
        backgroundColor: string;
        color: string;
        font: { size: number };
      };
    };

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    annotation: { annotations: Record<string, AnnotationOptions> };
  }
}

const SECONDS_AXIS = 'seconds since the deploy was triggered';

export function buildCharts(view: ReportView): ChartSpec[] {
  const colourOf = (index: number) => VARIANT_COLOURS[index % VARIANT_COLOURS.length] as string;
  return [
    ...view.variants.map((variant, i) => latencyChart(variant, colourOf(i))),
    ...view.variants.map(releasesChart),
    throughputChart(view, colourOf),
    percentileChart(view, colourOf),
    longestChart(view, colourOf),
  ];
}

function latencyChart(variant: VariantView, colour: string): ChartSpec {
  const [first, ...others] = variant.trials;
  const datasets: ChartDataset<'line' | 'scatter', Point[]>[] = [];
  if (first) {
    datasets.push(
      line(`max · trial ${first.trial}`, first.latency.max, colour, 2, 2),
      line(`p99 · trial ${first.trial}`, first.latency.p99, `${colour}99`, 1),
      line(`p50 · trial ${first.trial}`, first.latency.p50, '#7f7f7f', 1),
    );
  }
  for (const trial of others)
    datasets.push(line(`max · trial ${trial.trial}`, trial.latency.max, `${colour}55`, 1));
  const failed = variant.trials.flatMap((t) => t.failures.map(({ x, y }) => ({ x, y })));
  if (failed.length > 0) {
    datasets.push({
      type: 'scatter',
      label: 'interval with failed requests',
      data: failed,
      pointStyle: 'crossRot',
      pointRadius: 7,
      borderWidth: 2,
      borderColor: '#d62728',
      backgroundColor: '#d62728',
    });
  }
  const longest = variant.trials.flatMap((t) =>
    t.longest.slice(0, 3).map((l) => ({ x: l.at, y: l.latencyMs })),
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
  return {
    id: `latency-${variant.name}`,
    title: `Latency over time — ${variant.name}`,
    caption:
      'Each point is one interval: its longest request, p99 and p50. Crosses mark intervals in which requests failed; triangles the longest transactions. The shaded band is the deploy, lines its phases.',
    config: {
      type: 'line',
      data: { datasets: datasets as ChartDataset<'line', Point[]>[] },
      options: {
        ...common(
          `Latency over time — ${variant.name}`,
          phaseAnnotations(first, 'beforeDatasetsDraw'),
        ),
        scales: {
          x: { type: 'linear', title: { display: true, text: SECONDS_AXIS } },
          y: { type: 'logarithmic', title: { display: true, text: 'latency (ms, log scale)' } },
        },
      },
    },
  };
}

function releasesChart(variant: VariantView): ChartSpec {
  const trial = variant.trials[0];
  const shares = Object.entries(trial?.releaseShares ?? {});
  const title = `Traffic by release — ${variant.name}`;
  return {
    id: `releases-${variant.name}`,
    title,
    caption:
      'Which release answered, as a share of the responses in each interval: the switch-over.',
    config: {
      type: 'bar',
      data: {
        datasets: shares.map(([release, points], i) => ({
          label: release,
          data: points,
          backgroundColor: RELEASE_COLOURS[i % RELEASE_COLOURS.length],
          barPercentage: 1,
          categoryPercentage: 1,
        })),
      },
      options: {
        // Bars fill the plot: the phases are drawn over them here.
        ...common(title, phaseAnnotations(trial, 'afterDatasetsDraw')),
        scales: {
          x: { type: 'linear', stacked: true, title: { display: true, text: SECONDS_AXIS } },
          y: {
            stacked: true,
            min: 0,
            max: 100,
            title: { display: true, text: 'share of responses (%)' },
          },
        },
      },
    },
  };
}

function throughputChart(view: ReportView, colourOf: (i: number) => string): ChartSpec {
  const title = 'Throughput and errors';
  const datasets: ChartDataset<'line', Point[]>[] = view.variants.flatMap((variant, i) => {
    const trial = variant.trials[0];
    if (!trial) return [];
    return [
      line(`${variant.name} · requests/s`, trial.throughput, colourOf(i), 2),
      {
        ...line(`${variant.name} · failed/s`, trial.errorRate, colourOf(i), 2),
        borderDash: [6, 4],
      },
    ];
  });
  return {
    id: 'throughput',
    title,
    caption:
      "Requests per second (solid) and failed requests per second (dashed), each variant's first trial, aligned at the trigger.",
    config: {
      type: 'line',
      data: { datasets },
      options: {
        ...common(title),
        scales: {
          x: { type: 'linear', title: { display: true, text: SECONDS_AXIS } },
          y: { min: 0, title: { display: true, text: 'per second' } },
        },
      },
    },
  };
}

/** The percentile levels of an HdrHistogram plot, as "1 in N". */
const PERCENTILES = [0, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999];

function percentileChart(view: ReportView, colourOf: (i: number) => string): ChartSpec {
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
    title,
    caption:
      'HdrHistogram style: the latency that 1 request in N exceeded (N = 2 is the median, 100 is p99), all trials of each variant together; the last point is the maximum.',
    config: {
      type: 'line',
      data: { datasets },
      options: {
        ...common(title),
        scales: {
          x: { type: 'logarithmic', title: { display: true, text: '1 in N requests (log scale)' } },
          y: { type: 'logarithmic', title: { display: true, text: 'latency (ms, log scale)' } },
        },
      },
    },
  };
}

function longestChart(view: ReportView, colourOf: (i: number) => string): ChartSpec {
  const title = 'Longest transaction and longest user wait';
  const labels = view.variants.map((v) => v.name);
  const metric = (
    name: 'longestTransactionMs' | 'longestUserWaitMs' | 'siegeLongestTransactionMs',
  ) => view.variants.map((v) => v.summary.metrics[name]);
  const spreadShown = view.variants.some((v) => v.summary.trials > 1);
  const datasets: ChartDataset<'bar', (number | [number, number] | null)[]>[] = [
    {
      label: 'longest transaction (median of trials)',
      data: metric('longestTransactionMs').map((s) => finite(s.median)),
      backgroundColor: view.variants.map((_, i) => colourOf(i)),
    },
    {
      label: 'siege-compatible (successful only)',
      data: metric('siegeLongestTransactionMs').map((s) => finite(s.median)),
      backgroundColor: '#bbbbbb',
    },
    {
      label: 'longest user wait',
      data: metric('longestUserWaitMs').map((s) => finite(s.median)),
      backgroundColor: '#555555',
    },
  ];
  if (spreadShown) {
    datasets.push({
      label: 'longest transaction, min–max over trials',
      data: metric('longestTransactionMs').map((s) => [finite(s.min) ?? 0, finite(s.max) ?? 0]),
      backgroundColor: '#00000033',
    });
  }
  return {
    id: 'longest',
    title,
    caption:
      'Per variant, the median over trials; the min–max bar shows the spread when there are several trials.',
    config: {
      type: 'bar',
      data: { labels, datasets },
      options: {
        ...common(title),
        scales: { y: { min: 0, title: { display: true, text: 'milliseconds' } } },
      },
    },
  };
}

function phaseAnnotations(
  trial: TrialView | undefined,
  drawTime: DrawTime,
): Record<string, AnnotationOptions> {
  if (!trial) return {};
  const annotations: Record<string, AnnotationOptions> = {
    deploy: {
      type: 'box',
      drawTime: 'beforeDatasetsDraw',
      xMin: 0,
      xMax: trial.deployEnd ?? trial.events.at(-1)?.at ?? 0,
      backgroundColor: 'rgba(255, 165, 0, 0.10)',
      borderWidth: 0,
    },
  };
  trial.events.forEach((event, i) => {
    if (event.phase === 'triggered') return;
    annotations[`phase-${i}`] = {
      type: 'line',
      // Over lines, phases would hide measured points; over bars they are the only way to show.
      drawTime,
      xMin: event.at,
      xMax: event.at,
      borderColor: PHASE_COLOURS[event.phase] ?? '#555555',
      borderWidth: 1,
      borderDash: [4, 4],
      label: {
        display: true,
        content: event.phase,
        position: i % 2 === 0 ? 'start' : 'end',
        backgroundColor: 'rgba(255, 255, 255, 0.85)',
        color: PHASE_COLOURS[event.phase] ?? '#555555',
        font: { size: 10 },
      },
    };
  });
  return annotations;
}

/** What every chart shares: no animation, a title, the legend below, and the deploy's phases if given. */
function common(title: string, annotations?: Record<string, AnnotationOptions>) {
  return {
    animation: false as const,
    plugins: {
      title: { display: true, text: title },
      legend: { position: 'bottom' as const },
      ...(annotations ? { annotation: { annotations } } : {}),
    },
  };
}

function line(
  label: string,
  data: Point[],
  colour: string,
  width: number,
  pointRadius = 0,
): ChartDataset<'line', Point[]> {
  return {
    type: 'line',
    label,
    data,
    borderColor: colour,
    backgroundColor: colour,
    borderWidth: width,
    pointRadius,
  };
}

/** Chart.js needs null, not NaN, for a missing value; JSON has no NaN either. */
function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
