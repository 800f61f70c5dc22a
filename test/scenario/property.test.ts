import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { parseScenario } from '../../src/scenario/load.ts';

/** Values of the kinds YAML can hold, nested, with the scenario's own keys mixed in often. */
const KEYS = [
  'name',
  'target',
  'platform',
  'url',
  'app',
  'command',
  'load',
  'users',
  'model',
  'rate',
  'timeline',
  'warmup',
  'variants',
  'strategy',
  'gates',
  'deploy',
  'markers',
  'pattern',
  'phase',
  'hooks',
  'trials',
  'analysis',
];
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '5s',
    '500ms',
    '-1s',
    '50/s',
    'open',
    'closed',
    'preboot',
    'stop-start',
    'http://127.0.0.1:1/',
    '${X}',
    'a.longest < 1s',
    '(',
    '*.errors == 0',
  ),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string()), tie('node'), { maxKeys: 6 }),
})).node;

describe('the scenario loader on random documents', () => {
  it('never crashes: a document either loads or is answered with located problems', () => {
    fc.assert(
      fc.property(value, (document) => {
        const text = stringify(document);
        try {
          parseScenario(text, 'random.yaml', {});
        } catch (error) {
          expect(error).toBeInstanceOf(ScenarioError);
          for (const problem of (error as ScenarioError).problems) {
            expect(problem.file).toBe('random.yaml');
            expect(problem.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never crashes on arbitrary text either', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseScenario(text, 'random.yaml', {});
        } catch (error) {
          expect(error).toBeInstanceOf(ScenarioError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
