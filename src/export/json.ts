import type { Exporter } from './exporter.ts';
import { renderResultsJson } from './results-json.ts';

export const jsonExporter: Exporter<'json'> = {
  name: 'json',
  render: (run) => [{ name: 'results.json', content: renderResultsJson(run) }],
};
