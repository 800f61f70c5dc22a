import type { ChartConfiguration, ChartDataset, ChartOptions, ChartType } from 'chart.js';
import type { Point } from '../decimate.ts';
import type { PhasedTrial } from '../view.ts';

/**
 * Every chart of a report, as plain Chart.js configurations (JSON only, no functions), so that the
 * HTML page and the PNG renderer draw the very same charts.
 */
export interface ChartSpec {
  /** Also the PNG's file name: `${id}.png`. */
  id: string;
  /** `lanes` and `waits` answer the question: the page shows them first, with the verdict. */
  kind: 'lanes' | 'waits' | 'latency' | 'throughput' | 'percentiles' | 'trend';
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
/** A variant's colour, by its place in the scenario. */
export function colourOf(index: number): string {
  return VARIANT_COLOURS[index % VARIANT_COLOURS.length] as string;
}
export const FAILURE_COLOUR = '#d62728';
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

/**
 * The kinds of chartjs-plugin-annotation options we draw. (The plugin's own types use extensionless
 * imports that NodeNext resolution cannot follow.)
 */
type DrawTime = 'beforeDatasetsDraw' | 'afterDatasetsDraw';
type Font = { size: number; weight?: 'bold' };
export type AnnotationOptions =
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
export function secondsAxis(
  trials: readonly (Pick<PhasedTrial, 'detected'> | undefined)[],
): string {
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

export function phaseAnnotations(
  trial: PhasedTrial | undefined,
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

export function box(
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

/** A line chart with the common options and these axes. */
export function lineChart(
  title: string,
  datasets: ChartDataset<'line'>[],
  scales: NonNullable<ChartOptions<'line'>['scales']>,
): ChartConfiguration {
  return { type: 'line', data: { datasets }, options: { ...common(title), scales } };
}

/** What every chart shares: no animation, a title, the legend below, and the deploy's phases if given. */
export function common(title: string, annotations?: Record<string, AnnotationOptions>) {
  return {
    animation: false as const,
    plugins: {
      title: { display: true, text: title },
      legend: { position: 'bottom' as const },
      ...(annotations ? { annotation: { annotations } } : {}),
    },
  };
}

export function line(
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
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha.toFixed(2)})`;
}
