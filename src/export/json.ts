import type { Exporter } from './exporter.ts';
import { renderResultsJson } from './results-json.ts';

export const jsonExporter: Exporter = {
  name: 'json',
  render: (run) => [{ name: 'results.json', content: renderResultsJson(run) }],
};
