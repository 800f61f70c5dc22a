import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

/**
 * The JSON Schema of scenario files, generated from the very schema the loader uses, for editors
 * (`# yaml-language-server: $schema=…`). It describes the file as written: durations as text.
 */
function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  // `load.model` may be left out (it defaults to closed): the loader adds it before the union
  // is read, which JSON Schema cannot say; the closed branch is made not to require it.
  const load = (
    schema.properties as Record<
      string,
      { oneOf?: { required?: string[]; properties?: Record<string, unknown> }[] }
    >
  ).load;
  for (const branch of load?.oneOf ?? []) {
    const model = branch.properties?.model as { const?: string } | undefined;
    if (model?.const === 'closed' && branch.required)
      branch.required = branch.required.filter((r) => r !== 'model');
  }
  return {
    title: 'deploy-bench scenario',
    description:
      'A deploy-bench scenario: the target, the load, the timeline, the deploy and the variants to compare.',
    ...schema,
  };
}

export function renderScenarioJsonSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
