import type { ChartConfiguration } from 'chart.js';
import { buildCharts } from '../report/charts.ts';
import { buildView } from '../report/view.ts';
import { type Exporter, ExporterUnavailable } from './exporter.ts';

const WIDTH = 1000;
const HEIGHT = 450;

export const PNG_HINT =
  'PNG charts skipped: the optional canvas package is not installed; on Debian: apt-get install libcairo2-dev libpango1.0-dev libgif-dev libjpeg-dev fonts-dejavu-core, then npm install canvas';

type Renderer = { renderToBuffer(configuration: ChartConfiguration): Promise<Buffer> };

/** chartjs-node-canvas needs the native canvas package, an optional dependency: load it on demand. */
async function loadRenderer(): Promise<Renderer> {
  try {
    const { ChartJSNodeCanvas } = await import('chartjs-node-canvas');
    return new ChartJSNodeCanvas({
      width: WIDTH,
      height: HEIGHT,
      backgroundColour: 'white',
      plugins: { modern: ['chartjs-plugin-annotation'] },
    }) as unknown as Renderer;
  } catch {
    throw new ExporterUnavailable(PNG_HINT);
  }
}

/** One PNG per chart of the HTML report, drawn from the same chart definitions. */
export const pngExporter: Exporter = {
  name: 'png',
  async render(report) {
    const renderer = await loadRenderer();
    const files = [];
    for (const chart of buildCharts(buildView(report))) {
      const config = { ...chart.config, options: { ...chart.config.options, responsive: false } };
      files.push({
        name: `${chart.id}.png`,
        content: await renderer.renderToBuffer(config as ChartConfiguration),
      });
    }
    return files;
  },
};
