import type { Exporter } from './exporter.ts';
import { hgrmExporter } from './hgrm.ts';
import { htmlExporter } from './html.ts';
import { junitExporter } from './junit.ts';
import { markdownExporter } from './markdown.ts';
import { metricsExporter } from './metrics-txt.ts';
import { pngExporter } from './png.ts';
import { jsonExporter } from './results-json.ts';

/**
 * Every format, in the order they are written: results.json first (a later failure loses nothing),
 * the Markdown summary after the PNGs it shows. A new format is one file and one line here.
 */
export const EXPORTERS = [
  jsonExporter,
  hgrmExporter,
  pngExporter,
  htmlExporter,
  markdownExporter,
  junitExporter,
  metricsExporter,
] as const satisfies readonly Exporter[];

export type ExportName = (typeof EXPORTERS)[number]['name'];

export const EXPORT_NAMES: readonly ExportName[] = EXPORTERS.map((exporter) => exporter.name);
