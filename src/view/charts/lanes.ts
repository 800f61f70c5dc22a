import type { ChartDataset } from 'chart.js';
import type { Instance } from '../../analysis/instances.ts';
import type { LaneTrial } from '../view.ts';
import {
  type AnnotationOptions,
  box,
  type ChartSpec,
  common,
  phaseAnnotations,
  secondsAxis,
  withAlpha,
} from './style.ts';

const STATE_COLOURS = {
  booting: '#f2d48f',
  up: '#c9d6e3',
  stopping: '#b9a6cf',
  answering: '#d9d9d9',
} as const;
/** Where users failed or waited far above the baseline (disruption): shaded over every lane. */
const DISRUPTED_COLOUR = 'rgba(214, 39, 40, 0.16)';

/** A state shorter than this share of the plot (a 20 ms stop) is drawn this wide, to be seen. */
const MIN_STATE_SHARE = 0.006;

/** Most intervals drawn per lane: a one-hour run's traffic is summed into this many bins. */
const MAX_LANE_BINS = 400;

/**
 * The seed's wish: old and new instances side by side, with which one receives traffic. One row per
 * instance; a bar in the colour of its state (booting, up, stopping), and over it a strip in the
 * variant's colour wherever it answered, the stronger the larger its share of the responses.
 */
export function lanesChart(
  variant: string,
  trial: LaneTrial | undefined,
  trials: number,
  colour: string,
): ChartSpec {
  const title = `Instances — ${variant}`;
  const instances = trial?.instances ?? [];
  const labels = instances.map(laneLabel);
  const end = trial?.span.to ?? 0;
  const openEnd = trial?.now ?? end;
  const minWidth = trial ? (trial.span.to - trial.span.from) * MIN_STATE_SHARE : 0;
  const bar = (label: string, from: number | null, to: number | null) =>
    from === null
      ? []
      : [{ x: [from, Math.max(to ?? openEnd, from + minWidth)] as [number, number], y: label }];
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
    id: `lanes-${variant}`,
    kind: 'lanes',
    title,
    // Only the embedded platform knows when its processes boot and stop; elsewhere (a URL, a
    // watch) an instance is what the load saw answer.
    caption: `${
      states.answering.length > 0 && states.booting.length + states.up.length === 0
        ? 'One row per instance that answered, named by its header or its release: grey from its first answer to its last.'
        : 'One row per instance: amber while it boots, blue-grey while up, mauve while it stops (SIGTERM until exit; a short stop is drawn wide enough to see).'
    } The strip over it is the traffic it answered, darker for a larger share of the responses. Red shading: users failing or waiting far longer than before the deploy; dashed lines: the deploy’s phases.${trials > 1 ? ` Trial ${trial?.trial} of ${trials}.` : ''}`,
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
  trial: LaneTrial | undefined,
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
