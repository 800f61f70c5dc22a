import type { Exporter } from './exporter.ts';
import { renderResultsJson } from './results-json.ts';

export const jsonExporter: Exporter = {
  name: 'json',
  render: (report) => [{ name: 'results.json', content: renderResultsJson(report) }],
};
