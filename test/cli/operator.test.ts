import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PLATFORMS, starterScenario } from '../../src/init/templates.ts';
import { renderScenarioJsonSchema } from '../../src/scenario/json-schema.ts';
import { benchInProcess } from '../helpers/cli.ts';
import { REPO } from '../helpers/scenarios.ts';

const bench = (...args: string[]) => benchInProcess(args);

describe('bench init and bench validate', () => {
  for (const platform of PLATFORMS) {
    it(`a ${platform} starter passes validate`, async () => {
      const file = path.join(
        mkdtempSync(path.join(os.tmpdir(), 'bench-init-')),
        `${platform}.yaml`,
      );
      const init = await bench('init', '--platform', platform, '--out', file);
      expect(init.exitCode, init.stderr).toBe(0);
      const validate = await bench('validate', file);
      expect(validate.exitCode, validate.stderr).toBe(0);
      expect(validate.stdout).toMatch(new RegExp(`^${file.replaceAll('.', '\\.')}: valid — `));
    });
  }

  it('will not overwrite a file without --force', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-init-')), 'x.yaml');
    writeFileSync(file, 'mine');
    const init = await bench('init', '--out', file);
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toContain(`bench: ${file} exists; add --force to overwrite it`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('says in one line, exit 2, that --out is in a folder that is not there', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-init-')), 'no/such/x.yaml');
    const init = await bench('init', '--out', file);
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toBe(
      `bench: cannot write ${file}: ENOENT: no such file or directory, open '${file}'\n`,
    );
  });

  it('validate answers a broken file with exit code 2 and its problems', async () => {
    const validate = await bench('validate', 'test/fixtures/bad/19-unknown-top-key.yaml');
    expect(validate.exitCode).toBe(2);
    expect(validate.stderr).toContain('timline: unknown key "timline"; did you mean "timeline"?');
  });
});

describe('the JSON Schema of scenario files', () => {
  const schemaFile = path.join(REPO, 'schema/scenario.schema.json');
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(
    JSON.parse(readFileSync(schemaFile, 'utf8')),
  );

  it('is generated from the loader’s schema (npm run schema)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(renderScenarioJsonSchema());
  });

  it('accepts every shipped scenario and every starter', () => {
    const documents = [
      ...readdirSync(path.join(REPO, 'scenarios'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => ({ name: f, text: readFileSync(path.join(REPO, 'scenarios', f), 'utf8') })),
      ...PLATFORMS.map((p) => ({ name: `init ${p}`, text: starterScenario(p) })),
    ];
    for (const { name, text } of documents) {
      expect(text.startsWith('# yaml-language-server: $schema='), name).toBe(true);
      expect(validate(parse(text)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('rejects a broken one', () => {
    const broken = parse(readFileSync(path.join(REPO, 'scenarios/preboot.yaml'), 'utf8'));
    broken.load.users = 'many';
    broken.timline = {};
    expect(validate(broken)).toBe(false);
    const paths = validate.errors?.map((e) => e.instancePath) ?? [];
    expect(paths).toContain('/load/users');
  });
});
