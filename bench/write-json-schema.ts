// Regenerates schema/scenario.schema.json from the loader's schema: npm run schema
// (a test fails when the committed file and the schema have drifted apart).
import { writeFileSync } from 'node:fs';
import { renderScenarioJsonSchema } from '../src/scenario/json-schema.ts';

writeFileSync(
  new URL('../schema/scenario.schema.json', import.meta.url),
  renderScenarioJsonSchema(),
);
console.log('wrote schema/scenario.schema.json');
