import type { Exporter, ExportName } from './exporter.ts';
import { hgrmExporter } from './hgrm.ts';
import { htmlExporter } from './html.ts';
import { jsonExporter } from './json.ts';
import { junitExporter } from './junit.ts';
import { markdownExporter } from './markdown.ts';
import { pngExporter } from './png.ts';

/** Every format by name, in the order they are written (Markdown last: it shows the PNGs). */
export const EXPORTERS: Record<ExportName, Exporter> = {
  json: jsonExporter,
  hgrm: hgrmExporter,
  png: pngExporter,
  html: htmlExporter,
  md: markdownExporter,
  junit: junitExporter,
};
