import type { ChartConfiguration, ChartDataset, ChartOptions, ChartType } from 'chart.js';
import type { Instance } from '../analysis/instances.ts';
import { percentileMs } from '../results/histogram.ts';
import { mapStrings, showControls } from '../text/escape.ts';
import { formatMs } from '../text/format.ts';
import type { Point } from './decimate.ts';
import { LONGEST_MARKED, type RunView, type TrialView, type VariantView } from './view.ts';

/**
 * Every chart of a report, as plain Chart.js configurations (JSON only, no functions), so that the
 * HTML page and the PNG renderer draw the very same charts.
 */
export interface ChartSpec {
  /** Also the PNG's file name: `${id}.png`. */
  id: string;
  /** `lanes` and `waits` answer the question: the page shows them first, with the verdict. */
  kind: 'lanes' | 'waits' | 'latency' | 'throughput' | 'percentiles';
  title: string;
  caption: string;
  /** Height on the page, in CSS pixels. */
  height: number;
  config: ChartConfiguration;
}

/**
 * A variant keeps its colour in every chart, and no colour judges by position: red and green, which
 * say bad and good, are left to failures and to nothing.
 */
const VARIANT_COLOURS = ['#1f77b4', '#ff7f0e', '#9467bd', '#17becf', '#8c564b', '#e377c2'];
const FAILURE_COLOUR = '#d62728';
const STATE_COLOURS = {
  booting: '#f2d48f',
  up: '#c9d6e3',
  stopping: '#b9a6cf',
  answering: '#d9d9d9',
} as const;
/** Where users failed or waited far above the baseline (disruption): shaded over every lane. */
const DISRUPTED_COLOUR = 'rgba(214, 39, 40, 0.16)';
const PHASE_COLOURS: Record<string, string> = {
  booting: '#8a6d00',
  up: '#1f5f99',
  switched: '#1f5f99',
  stopping: '#a33a3a',
  stopped: '#a33a3a',
  completed: '#555555',
  failed: FAILURE_COLOUR,
  detected: '#8a6d00',
};

/** A state shorter than this share of the plot (a 20 ms stop) is drawn this wide, to be seen. */
const MIN_STATE_SHARE = 0.006;

/**
 * The kinds of chartjs-plugin-annotation options we draw. (The plugin's own types use extensionless
 * imports that NodeNext resolution cannot follow.)
 */
type DrawTime = 'beforeDatasetsDraw' | 'afterDatasetsDraw';
type Font = { size: number; weight?: 'bold' };
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
        yAdjust: number;
        padding: number;
        backgroundColor: string;
        color: string;
        font: Font;
      };
    }
  | {
      type: 'label';
      xValue: number;
      yValue: string;
      content: string;
      position: { x: 'start' | 'end'; y: 'center' };
      xAdjust: number;
      color: string;
      font: Font;
    };

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    annotation: { annotations: Record<string, AnnotationOptions> };
  }
}

/** The x axis: seconds from the trigger, or from the start of a window found from the traffic. */
function secondsAxis(trials: readonly (TrialView | undefined)[]): string {
  return trials.some((trial) => trial?.detected)
    ? 'seconds since the detected start of the deploy'
    : 'seconds since the deploy was triggered';
}

/**
 * Chart.js labels every tick in the top fifth of a log axis, which crowds it ("10,000 8,000
 * 6,000"). The page and the PNG renderer both install this labelling instead: 1, 2 and 5 times a
 * power of ten, or the powers of ten alone on an axis wider than three decades. A function cannot
 * travel in the JSON chart specs, so it is shared as source, applied to the Chart.js in hand.
 */
export const LOG_TICK_LABELS_SOURCE = `function (Chart) {
  Chart.defaults.scales.logarithmic.ticks.callback = function (value, index, ticks) {
    var low = Math.max(ticks[0].value, 1e-9);
    var high = ticks[ticks.length - 1].value;
    var exponent = Math.floor(Math.log10(value) + 1e-9);
    var mantissa = Math.round(value / Math.pow(10, exponent));
    var shown = high / low > 1000 ? mantissa === 1 : mantissa === 1 || mantissa === 2 || mantissa === 5;
    return shown ? Number(value).toLocaleString('en-US') : '';
  };
}`;

export function buildCharts(view: RunView): ChartSpec[] {
  const colourOf = (index: number) => VARIANT_COLOURS[index % VARIANT_COLOURS.length] as string;
  const range = latencyRange(view);
  const charts = [
    // A target that names neither instance nor release has no lanes to draw (a notice says so).
    ...view.variants.flatMap((variant, i) =>
      (variant.trials[0]?.instances.length ?? 0) > 0 ? [lanesChart(variant, colourOf(i))] : [],
    ),
    waitsChart(view, colourOf),
    ...view.variants.map((variant, i) => latencyChart(variant, colourOf(i), range)),
    throughputChart(view, colourOf),
    percentileChart(view, colourOf),
  ];
  // Labels and tooltips carry instance names and deploy details from outside: a browser or canvas
  // draws what it is given, so they are shown, not acted on, like everywhere else.
  return mapStrings(charts, (text) => showControls(text, 'newlines'));
}

/** Most intervals drawn per lane: a one-hour run's traffic is summed into this many bins. */
const MAX_LANE_BINS = 400;

/**
 * The seed's wish: old and new instances side by side, with which one receives traffic. One row per
 * instance; a bar in the colour of its state (booting, up, stopping), and over it a strip in the
 * variant's colour wherever it answered, the stronger the larger its share of the responses.
 */
function lanesChart(variant: VariantView, colour: string): ChartSpec {
  const trial = variant.trials[0];
  const title = `Instances — ${variant.name}`;
  const instances = trial?.instances ?? [];
  const labels = instances.map(laneLabel);
  const end = trial?.span.to ?? 0;
  const minWidth = trial ? (trial.span.to - trial.span.from) * MIN_STATE_SHARE : 0;
  const bar = (label: string, from: number | null, to: number | null) =>
    from === null
      ? []
      : [{ x: [from, Math.max(to ?? end, from + minWidth)] as [number, number], y: label }];
  const seconds = (ms: number | null) =>
    ms === null || !trial ? null : (ms - trial.triggerMs) / 1000;
  const states: Record<keyof typeof STATE_COLOURS, { x: [number, number]; y: string }[]> = {
    booting: [],
    up: [],
    stopping: [],
    answering: [],
  };
  instances.forEach((instance, i) => {
    const label = labels[i] as string;
    const [started, up, stopping, stopped] = [
      instance.startedAt,
      instance.upAt,
      instance.stoppingAt,
      instance.stoppedAt,
    ].map(seconds);
    if (started === null || started === undefined) {
      // Only the load saw it: from its first answer to its last.
      states.answering.push(
        ...bar(label, seconds(instance.firstTrafficAt), seconds(instance.lastTrafficAt)),
      );
      // Told to stop (a deploy's marker named it): until its last answer.
      if (stopping !== null && stopping !== undefined)
        states.stopping.push(
          ...bar(label, stopping, Math.max(stopping, seconds(instance.lastTrafficAt) ?? stopping)),
        );
      return;
    }
    states.booting.push(...bar(label, started, up ?? stopping ?? stopped ?? null));
    states.up.push(...bar(label, up ?? null, stopping ?? stopped ?? null));
    states.stopping.push(...bar(label, stopping ?? null, stopped ?? null));
  });
  const datasets: ChartDataset<'bar', { x: [number, number]; y: string }[]>[] = [
    trafficDataset(trial, instances, labels, colour),
    // Only for the legend: the shading itself is an annotation over every lane.
    {
      label: 'users failing or waiting',
      data: [],
      backgroundColor: 'rgba(214, 39, 40, 0.35)',
      grouped: false,
      order: 2,
    },
    ...(Object.keys(states) as (keyof typeof states)[])
      .filter((state) => states[state].length > 0)
      .map((state) => ({
        label: state === 'answering' ? 'answering (seen by the load)' : state,
        data: states[state],
        backgroundColor: STATE_COLOURS[state],
        grouped: false,
        barPercentage: 0.9,
        categoryPercentage: 0.9,
        order: 1,
      })),
  ];
  const annotations: Record<string, AnnotationOptions> = {};
  trial?.disrupted.forEach(([from, to], i) => {
    annotations[`disrupted-${i}`] = box(from, to, DISRUPTED_COLOUR);
  });
  Object.assign(annotations, phaseAnnotations(trial, 'afterDatasetsDraw'));
  return {
    id: `lanes-${variant.name}`,
    kind: 'lanes',
    title,
    // Only the embedded platform knows when its processes boot and stop; elsewhere (a URL, a
    // watch) an instance is what the load saw answer.
    caption: `${
      states.answering.length > 0 && states.booting.length + states.up.length === 0
        ? 'One row per instance that answered, named by its header or its release: grey from its first answer to its last.'
        : 'One row per instance: amber while it boots, blue-grey while up, mauve while it stops (SIGTERM until exit; a short stop is drawn wide enough to see).'
    } The strip over it is the traffic it answered, darker for a larger share of the responses. Red shading: users failing or waiting far longer than before the deploy; dashed lines: the deploy’s phases.${variant.trials.length > 1 ? ` Trial ${trial?.trial} of ${variant.trials.length}.` : ''}`,
    height: Math.max(240, 150 + 34 * instances.length),
    config: {
      type: 'bar',
      // Floating bars ({ x: [from, to], y: lane }), which Chart.js's default typing does not name.
      data: { labels, datasets: datasets as unknown as ChartDataset<'bar', (number | null)[]>[] },
      options: {
        ...common(title, annotations),
        indexAxis: 'y',
        scales: {
          x: {
            type: 'linear',
            min: trial?.span.from ?? 0,
            max: end,
            title: { display: true, text: secondsAxis([trial]) },
          },
          y: { type: 'category', ticks: { autoSkip: false } },
        },
      },
    },
  };
}

function laneLabel(instance: Instance): string {
  const name =
    instance.release === null || instance.id.includes(instance.release)
      ? instance.id
      : `${instance.id} (${instance.release})`;
  // Its drain, when the router saw one: what became of the requests it was serving at its stop.
  const { drain } = instance;
  if (!drain || drain.inFlight === 0) return name;
  const fates = [
    drain.cut > 0 ? `${drain.cut} cut` : '',
    drain.gone > 0 ? `${drain.gone} given up by the client` : '',
  ].filter(Boolean);
  return `${name} · ${drain.inFlight} in flight at stop: ${drain.answered === drain.inFlight ? 'all answered' : fates.join(', ')}`;
}

/** Each instance's answers per bin, as floating bars whose opacity is its share of the responses. */
function trafficDataset(
  trial: TrialView | undefined,
  instances: readonly Instance[],
  labels: readonly string[],
  colour: string,
): ChartDataset<'bar', { x: [number, number]; y: string }[]> {
  const data: { x: [number, number]; y: string }[] = [];
  const colours: string[] = [];
  if (trial) {
    const intervals = Math.max(0, ...instances.map((i) => i.requestsPerInterval.length));
    const perBin = Math.max(1, Math.ceil(intervals / MAX_LANE_BINS));
    const bins = Math.ceil(intervals / perBin);
    const count = (instance: Instance, bin: number) => {
      let sum = 0;
      for (let i = bin * perBin; i < (bin + 1) * perBin; i++)
        sum += instance.requestsPerInterval[i] ?? 0;
      return sum;
    };
    const x = (ms: number) => (ms - trial.triggerMs) / 1000;
    const width = perBin * trial.intervalMs;
    // Per lane, the bar being drawn: neighbouring bins of the same shade are one bar (no seams).
    const open: ({ x: [number, number]; y: string; alpha: number } | undefined)[] = [];
    const close = (i: number) => {
      const bar = open[i];
      if (!bar) return;
      data.push({ x: bar.x, y: bar.y });
      colours.push(withAlpha(colour, bar.alpha));
      open[i] = undefined;
    };
    // A bin is drawn within the instance's first and last answer, not beyond: a process that
    // stopped early in an interval is not seen answering to its end.
    const within = (instance: Instance, from: number, to: number): [number, number] => [
      Math.max(from, instance.firstTrafficAt ?? from),
      Math.min(to, instance.lastTrafficAt ?? to),
    ];
    for (let bin = 0; bin < bins; bin++) {
      const counts = instances.map((instance) => count(instance, bin));
      const total = counts.reduce((a, b) => a + b, 0);
      counts.forEach((n, i) => {
        if (n === 0) {
          close(i);
          return;
        }
        // Five shades: the share at a glance, and long runs of one shade.
        const alpha = 0.2 + 0.8 * (Math.ceil((5 * n) / total) / 5);
        const [fromMs, toMs] = within(instances[i] as Instance, bin * width, (bin + 1) * width);
        const bar = open[i];
        if (bar && bar.alpha === alpha && Math.abs(bar.x[1] - x(fromMs)) < 1e-9) {
          bar.x[1] = x(toMs);
          return;
        }
        close(i);
        open[i] = { x: [x(fromMs), x(toMs)], y: labels[i] as string, alpha };
      });
    }
    for (const i of instances.keys()) close(i);
  }
  return {
    label: 'answered traffic (darker: larger share)',
    data,
    backgroundColor: colours.length > 0 ? colours : colour,
    grouped: false,
    barPercentage: 0.45,
    categoryPercentage: 0.9,
    // Drawn last, over the state bars.
    order: 0,
  };
}

/** The figure the verdict ranks by first, per variant, with its value written at the bar's end. */
function waitsChart(view: RunView, colourOf: (i: number) => string): ChartSpec {
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

/** One y range for every variant's latency chart: equal-looking spikes are equal. */
function latencyRange(view: RunView): { min: number; max: number } {
  const values = view.variants.flatMap((v) =>
    v.trials.flatMap((t) => [
      ...t.latency.p50.map((p) => p.y),
      ...t.latency.max.map((p) => p.y),
      ...t.longest.map((l) => l.latencyMs),
    ]),
  );
  const known = values.filter((y) => Number.isFinite(y) && y > 0);
  if (known.length === 0) return { min: 1, max: 1000 };
  return {
    min: 10 ** Math.floor(Math.log10(Math.min(...known))),
    // Above the largest value, so that its marker is drawn whole.
    max: 10 ** Math.ceil(Math.log10(Math.max(...known) * 1.5)),
  };
}

function latencyChart(
  variant: VariantView,
  colour: string,
  range: { min: number; max: number },
): ChartSpec {
  const [first, ...others] = variant.trials;
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
  const failed = variant.trials.flatMap((t) => t.failures.map(({ x, y }) => ({ x, y })));
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
  const longest = variant.trials.flatMap((t) =>
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
    id: `latency-${variant.name}`,
    kind: 'latency',
    title: `Latency over time — ${variant.name}`,
    caption:
      'Each point is one interval: its longest request, p99 and p50, placed where the requests started. Crosses: intervals with failed requests; triangles: the longest transactions. Grey: no request started (every user was waiting); red: every request failed. The amber band is the deploy, dashed lines its phases. All variants share one scale.',
    height: 340,
    config: {
      type: 'line',
      data: { datasets: datasets as ChartDataset<'line', Point[]>[] },
      options: {
        ...common(`Latency over time — ${variant.name}`, annotations),
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

function throughputChart(view: RunView, colourOf: (i: number) => string): ChartSpec {
  const title = 'Throughput and errors';
  const spans = view.variants.flatMap((v) => (v.trials[0] ? [v.trials[0].span] : []));
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
        title: { display: true, text: secondsAxis(view.variants.map((v) => v.trials[0])) },
      },
      y: { min: 0, title: { display: true, text: 'per second' } },
    }),
  };
}

/** The percentile levels of an HdrHistogram plot, as "1 in N". */
const PERCENTILES = [0, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999];

function percentileChart(view: RunView, colourOf: (i: number) => string): ChartSpec {
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

/** The narrowest plot the labels are laid out for: a phone-wide page (390 px) leaves about this. */
const NARROWEST_PLOT_PX = 240;
/** Width of a character (bold, 10 px, with room to spare) and padding of a label, and a row's height. */
const LABEL_CHAR_PX = 7;
const LABEL_PADDING_PX = 12;
const LABEL_ROW_PX = 20;

export interface PhaseLabel {
  at: number;
  text: string;
  phase: string;
  row: number;
}

/**
 * The deploy's phases as labels that never overlap: phases closer than a label's width are one
 * label ("up · switched", or "stopping … booting" for more), and labels that would still touch go
 * to the next row down. Laid out for the narrowest plot, they stay apart on any wider one.
 */
export function layoutPhaseLabels(
  events: readonly { at: number; phase: string }[],
  span: { from: number; to: number },
): PhaseLabel[] {
  const secondsPerPx = Math.max(span.to - span.from, 1e-9) / NARROWEST_PLOT_PX;
  const widthOf = (text: string) => (text.length * LABEL_CHAR_PX + LABEL_PADDING_PX) * secondsPerPx;
  const shown = events.filter((e) => e.phase !== 'triggered');
  const groups: { at: number; phases: string[] }[] = [];
  for (const event of shown) {
    const last = groups.at(-1);
    if (last && event.at - last.at < widthOf(event.phase) / 2) last.phases.push(event.phase);
    else groups.push({ at: event.at, phases: [event.phase] });
  }
  const rowEnds: number[] = [];
  return groups.map((group) => {
    const { phases } = group;
    const text = phases.length <= 2 ? phases.join(' · ') : `${phases[0]} … ${phases.at(-1)}`;
    const half = widthOf(text) / 2;
    let row = rowEnds.findIndex((end) => end <= group.at - half);
    if (row < 0) row = rowEnds.length;
    rowEnds[row] = group.at + half;
    // A group that holds the failure is coloured as the failure.
    const phase = phases.includes('failed') ? 'failed' : (phases[0] as string);
    return { at: group.at, text, phase, row };
  });
}

function phaseAnnotations(
  trial: TrialView | undefined,
  drawTime: DrawTime,
): Record<string, AnnotationOptions> {
  if (!trial) return {};
  const deploy = box(0, trial.deployEnd ?? trial.events.at(-1)?.at ?? 0, 'rgba(255, 165, 0, 0.10)');
  const annotations: Record<string, AnnotationOptions> = { deploy };
  // Every phase gets its line; the labels are laid out apart.
  trial.events.forEach((event, i) => {
    if (event.phase === 'triggered') return;
    annotations[`phase-${i}`] = phaseLine(event.at, event.phase, drawTime);
  });
  // A window found from the traffic (bench watch) says so at its start, laid out with the phases'
  // labels so that none covers another: nobody told the tool when it was.
  const labelled = trial.detected ? [{ at: 0, phase: 'detected' }, ...trial.events] : trial.events;
  layoutPhaseLabels(labelled, trial.span).forEach((label, i) => {
    annotations[`phase-label-${i}`] = {
      ...phaseLine(label.at, label.phase, drawTime),
      borderWidth: 0,
      label: {
        display: true,
        content: label.text,
        position: 'end',
        yAdjust: label.row * LABEL_ROW_PX,
        padding: 3,
        backgroundColor: 'rgba(255, 255, 255, 0.85)',
        color: PHASE_COLOURS[label.phase] ?? '#555555',
        font: { size: 10 },
      },
    };
  });
  return annotations;
}

function phaseLine(
  at: number,
  phase: string,
  drawTime: DrawTime,
): Extract<AnnotationOptions, { type: 'line' }> {
  return {
    type: 'line',
    // Over lines, phases would hide measured points; over bars they are the only way to show.
    drawTime,
    xMin: at,
    xMax: at,
    borderColor: PHASE_COLOURS[phase] ?? '#555555',
    borderWidth: 1,
    borderDash: [4, 4],
    label: {
      display: false,
      content: '',
      position: 'end',
      yAdjust: 0,
      padding: 3,
      backgroundColor: 'transparent',
      color: '#555555',
      font: { size: 10 },
    },
  };
}

function box(
  from: number,
  to: number,
  colour: string,
): Extract<AnnotationOptions, { type: 'box' }> {
  return {
    type: 'box',
    drawTime: 'beforeDatasetsDraw',
    xMin: from,
    xMax: to,
    backgroundColor: colour,
    borderWidth: 0,
  };
}

/** What every chart shares: no animation, a title, the legend below, and the deploy's phases if given. */
/** A line chart with the common options and these axes. */
function lineChart(
  title: string,
  datasets: ChartDataset<'line'>[],
  scales: NonNullable<ChartOptions<'line'>['scales']>,
): ChartConfiguration {
  return { type: 'line', data: { datasets }, options: { ...common(title), scales } };
}

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

/** `#rrggbb` with an opacity, as rgba(): a lighter shade of a variant's own colour. */
function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha.toFixed(2)})`;
}
