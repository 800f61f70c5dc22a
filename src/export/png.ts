import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChartConfiguration } from 'chart.js';
import { buildCharts } from '../view/charts/report.ts';
import { type ChartSpec, LOG_TICK_LABELS_SOURCE } from '../view/charts/style.ts';
import { type Exporter, ExporterUnavailable } from './exporter.ts';

const WIDTH = 1000;
const HEIGHT = 450;

export const PNG_HINT =
  'PNG charts skipped: they need the optional packages canvas and chartjs-node-canvas: npm install -D canvas chartjs-node-canvas (canvas builds from source where no prebuilt binary downloads; on Debian first: apt-get install libcairo2-dev libpango1.0-dev libgif-dev libjpeg-dev fonts-dejavu-core)';

/** In a clone of deploy-bench itself, `npm install -D` would write them into its package.json. */
export const PNG_HINT_IN_A_CLONE =
  'PNG charts skipped: they need the optional packages canvas and chartjs-node-canvas: npm run test:prerequisites installs them (and the Debian packages canvas builds with)';

/** Whether this is a clone of deploy-bench (which has scripts/), not the installed package. */
function runningFromAClone(): boolean {
  return existsSync(fileURLToPath(new URL('../../scripts/test-prerequisites.sh', import.meta.url)));
}

/** canvas is there but does not load: most often installed without its native build. */
const brokenCanvasHint = (problem: string) =>
  `PNG charts skipped: the canvas package is installed but does not load (${problem}): npm rebuild canvas (it builds from source where no prebuilt binary downloads; on Debian first: apt-get install libcairo2-dev libpango1.0-dev libgif-dev libjpeg-dev fonts-dejavu-core)`;

type Renderer = { renderToBuffer(configuration: ChartConfiguration): Promise<Buffer> };

/** What is used of chartjs-node-canvas: typed here, as the package may not be installed to build. */
interface ChartJSNodeCanvasModule {
  ChartJSNodeCanvas: new (options: {
    width: number;
    height: number;
    backgroundColour: string;
    plugins: { modern: string[] };
    chartCallback: (chart: unknown) => void;
  }) => Renderer;
}

/**
 * The optional peers' names, held in variables: TypeScript then does not look for their types, so
 * the package builds and type-checks where they are not installed (`npm ci` does not install them).
 */
const OPTIONAL_PEERS = { chartjsNodeCanvas: 'chartjs-node-canvas', canvas: 'canvas' } as const;

/** The log-axis labelling the page uses, for the Chart.js that renders the PNGs. */
const installLogTickLabels = new Function(`return ${LOG_TICK_LABELS_SOURCE}`)() as (
  chart: unknown,
) => void;

/**
 * chartjs-node-canvas and the native canvas package are optional peers: loaded on demand. A renderer
 * draws at one size: one per height the charts ask for.
 */
async function loadRenderers(): Promise<(height: number) => Renderer> {
  let ChartJSNodeCanvas: ChartJSNodeCanvasModule['ChartJSNodeCanvas'];
  try {
    ({ ChartJSNodeCanvas } = (await import(
      OPTIONAL_PEERS.chartjsNodeCanvas as string
    )) as ChartJSNodeCanvasModule);
    // chartjs-node-canvas loads canvas only once it draws: a canvas that is missing or was installed
    // without its native build is found here, before any chart.
    await import(OPTIONAL_PEERS.canvas as string);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new ExporterUnavailable(
      code === 'ERR_MODULE_NOT_FOUND'
        ? runningFromAClone()
          ? PNG_HINT_IN_A_CLONE
          : PNG_HINT
        : brokenCanvasHint(message.split('\n')[0] ?? ''),
    );
  }
  const renderers = new Map<number, Renderer>();
  return (height) => {
    let renderer = renderers.get(height);
    if (!renderer) {
      renderer = new ChartJSNodeCanvas({
        width: WIDTH,
        height,
        backgroundColour: 'white',
        plugins: { modern: ['chartjs-plugin-annotation'] },
        chartCallback: installLogTickLabels,
      });
      renderers.set(height, renderer);
    }
    return renderer;
  };
}

/** A chart's PNG height: the usual one, or taller where the page draws it taller (many lanes). */
function pngHeight(chart: ChartSpec): number {
  return Math.max(HEIGHT, Math.round(chart.height * 1.25));
}

/** One PNG per chart of the HTML report, drawn from the same chart definitions. */
export const pngExporter: Exporter<'png'> = {
  name: 'png',
  files: /^.+\.png$/,
  async render(_run, context) {
    const rendererFor = await loadRenderers();
    const files = [];
    for (const chart of buildCharts(context.view())) {
      const config = { ...chart.config, options: { ...chart.config.options, responsive: false } };
      files.push({
        name: `${chart.id}.png`,
        content: await rendererFor(pngHeight(chart)).renderToBuffer(config as ChartConfiguration),
      });
    }
    return files;
  },
};
