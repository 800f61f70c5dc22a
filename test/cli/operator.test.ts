import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RECIPE_NAMES, recipeFolder } from '../../src/init/recipes.ts';
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

  for (const recipe of RECIPE_NAMES) {
    it(`init --recipe ${recipe} copies a folder whose scenario validates without a warning`, async () => {
      const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-recipe-')), 'x');
      const init = await bench('init', '--recipe', recipe, '--out', out);
      expect(init.exitCode, init.stderr).toBe(0);
      expect(init.stderr).toContain(`run it: bench run ${path.join(out, 'scenario.yaml')}`);
      const copied = readdirSync(out).sort();
      expect(copied).toEqual(
        readdirSync(recipeFolder(recipe))
          .filter((f) => f !== 'run')
          .sort(),
      );
      // The scripts stay executable; the recipe's own run/ folder, if any, is not copied.
      for (const script of copied.filter((f) => f.endsWith('.sh') && f !== 'wait-for.sh'))
        expect(lstatSync(path.join(out, script)).mode & 0o111, script).not.toBe(0);
      // Its programs may be missing here: a warning would name the recipe's own files only.
      const validate = await bench('validate', path.join(out, 'scenario.yaml'));
      expect(validate.exitCode, validate.stderr).toBe(0);
      expect(validate.stderr).toBe('');
    });
  }

  it('init --recipe refuses to overwrite, names the file, and with --force replaces a link, not its target', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-recipe-'));
    const victim = path.join(out, 'victim.txt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, path.join(out, 'deploy.sh'));
    const refused = await bench('init', '--recipe', 'pm2', '--out', out);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`${path.join(out, 'deploy.sh')} exists; add --force`);
    expect(readdirSync(out).sort()).toEqual(['deploy.sh', 'victim.txt']);
    const forced = await bench('init', '--recipe', 'pm2', '--out', out, '--force');
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(lstatSync(path.join(out, 'deploy.sh')).isSymbolicLink()).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    const file = path.join(out, 'victim.txt');
    const notAFolder = await bench('init', '--recipe', 'pm2', '--out', file);
    expect(notAFolder.exitCode).toBe(2);
    expect(notAFolder.stderr).toContain(`--out ${file} is a file, not a folder`);
    const unknown = await bench('init', '--recipe', 'iis');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(
      /^bench: --recipe: expected one of "node-graceful", .*, got "iis"/,
    );
  });

  it('warns, still valid, when the script of the app or of a deploy is not where the starter says', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-init-'));
    const embedded = path.join(dir, 'embedded.yaml');
    const command = path.join(dir, 'command.yaml');
    await bench('init', '--out', embedded);
    await bench('init', '--platform', 'command', '--out', command);
    const before = await bench('validate', embedded, command);
    expect(before.exitCode).toBe(0);
    expect(before.stderr.split('\n').filter(Boolean)).toEqual([
      `${embedded}: warning: target.platform.app.command: "server.js" is not in ${dir}; the app would not start`,
      `${command}: warning: variants[0].command: "./deploy.sh" is not an executable file in ${dir}; the deploy would fail`,
      `${command}: warning: variants[1].command: "./deploy.sh" is not an executable file in ${dir}; the deploy would fail`,
    ]);
    // Once they are there, nothing to say; Node finds `server` as server.js.
    writeFileSync(path.join(dir, 'server.js'), '');
    writeFileSync(
      embedded,
      readFileSync(embedded, 'utf8').replace('[node, server.js]', '[node, server]'),
    );
    writeFileSync(path.join(dir, 'deploy.sh'), '#!/bin/sh\n', { mode: 0o755 });
    expect((await bench('validate', embedded, command)).stderr).toBe('');
  });

  it('offers endpoints, checks, keepAlive, TLS and HTTP/2 commented, valid once uncommented', async () => {
    for (const platform of PLATFORMS) {
      const text = starterScenario(platform);
      for (const field of ['keepAlive:', 'endpoints:', 'expect:', 'bodyFile:'])
        expect(text, `${platform}: ${field}`).toMatch(new RegExp(`^ *#\\s+${field}`, 'm'));
      // Targets that may be https (not the embedded platform, not pm2 on this machine).
      if (['heroku', 'kubernetes', 'command'].includes(platform))
        expect(text, platform).toContain('# http2: true');
      // Uncomment the keep-alive and the endpoints (the alternative to `request`) and check it.
      const uncommented = text.replace(
        /^ {2}# (keepAlive|endpoints| {2}- | {4}[a-z])/gm,
        (_, rest: string) => `  ${rest}`,
      );
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-init-'));
      writeFileSync(path.join(dir, 'cart.json'), '{"sku": 1}');
      writeFileSync(path.join(dir, 'x.yaml'), uncommented);
      const validate = await bench('validate', path.join(dir, 'x.yaml'));
      expect(validate.exitCode, `${platform}: ${validate.stderr}`).toBe(0);
      expect(parse(uncommented).load.endpoints).toHaveLength(3);
    }
  });

  it('turns a siege URL file into endpoints, a repeated line weighing more', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-siege-'));
    const urls = path.join(dir, 'urls.txt');
    writeFileSync(
      urls,
      [
        '# as siege -f reads it',
        'HOST=http://127.0.0.1:8080',
        '$(HOST)/',
        '$(HOST)/',
        '${HOST}/assets/app.css',
        '$(HOST)/api/cart POST {"sku": 42}',
        '$(HOST)/login post user=a&pass=b',
        '$(HOST)/upload PUT <body.json',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'body.json'), '{"a": 1}');
    const file = path.join(dir, 'deploy.yaml');
    const init = await bench('init', '--from-siege', urls, '--platform', 'pm2', '--out', file);
    expect(init.exitCode, init.stderr).toBe(0);
    const validate = await bench('validate', file);
    expect(validate.exitCode, validate.stderr).toBe(0);
    const scenario = parse(readFileSync(file, 'utf8'));
    expect(scenario.target.url).toBe('http://127.0.0.1:8080/');
    expect(scenario.variants.map((v: { name: string }) => v.name)).toEqual(['restart', 'reload']);
    expect(scenario.load.endpoints).toEqual([
      { name: 'home', weight: 2, method: 'GET', path: '/' },
      { name: 'assets-app-css', weight: 1, method: 'GET', path: '/assets/app.css' },
      {
        name: 'api-cart',
        weight: 1,
        method: 'POST',
        path: '/api/cart',
        body: '{"sku": 42}',
        headers: { 'content-type': 'application/json' },
      },
      {
        name: 'login',
        weight: 1,
        method: 'POST',
        path: '/login',
        body: 'user=a&pass=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      { name: 'upload', weight: 1, method: 'PUT', path: '/upload', bodyFile: 'body.json' },
    ]);
  });

  it('tells a siege URL file it cannot use at its line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-siege-'));
    const write = (text: string) => {
      const file = path.join(dir, 'urls.txt');
      writeFileSync(file, text);
      return file;
    };
    const cases: [string, RegExp][] = [
      [
        'http://a.test/\nhttp://b.test/x\n',
        /urls\.txt:2: http:\/\/b\.test is another origin than http:\/\/a\.test/,
      ],
      ['http://a.test/ FETCH\n', /urls\.txt:1: expected a method after the URL .* got "FETCH"/],
      ['# nothing\n', /urls\.txt:1: no URL in the file/],
      ['$(HOST)/x\n', /urls\.txt:1: \$\(HOST\) is not set earlier in the file/],
      ['ftp://a.test/\n', /urls\.txt:1: expected a URL such as http:\/\/host\/path/],
      ['http://a.test/x PUT <missing.json\n', /urls\.txt:1: <missing\.json: no such file next to/],
      [
        `http://a.test/${'p'.repeat(9000)}\n`,
        /urls\.txt:1: the path is 9001 characters; a scenario takes 8192/,
      ],
      // Each variable four times the last: 8 × 4^12 characters, built whole it failed the run.
      [
        'A=xxxxxxxx\nB=$(A)$(A)$(A)$(A)\nC=$(B)$(B)$(B)$(B)\nD=$(C)$(C)$(C)$(C)\nE=$(D)$(D)$(D)$(D)\nF=$(E)$(E)$(E)$(E)\nG=$(F)$(F)$(F)$(F)\nH=$(G)$(G)$(G)$(G)\nI=$(H)$(H)$(H)$(H)\nJ=$(I)$(I)$(I)$(I)\nK=$(J)$(J)$(J)$(J)\nL=$(K)$(K)$(K)$(K)\nM=$(L)$(L)$(L)$(L)\nhttp://a.test/$(M)\n',
        /urls\.txt:\d+: the variables expand beyond 65536 characters; expected a URL line/,
      ],
      [
        'http://user:s3cret@a.test/x\n',
        /urls\.txt:1: the URL carries credentials \(user:password@\); a scenario does not keep them/,
      ],
    ];
    for (const [text, message] of cases) {
      const run = await bench('init', '--from-siege', write(text));
      expect(run.exitCode, text).toBe(2);
      expect(run.stderr.trim(), text).toMatch(message);
      expect(run.stderr).not.toContain('s3cret');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const embedded = await bench(
      'init',
      '--from-siege',
      write('http://a.test/'),
      '--platform',
      'embedded',
    );
    expect(embedded.exitCode).toBe(2);
    expect(embedded.stderr).toMatch(/the embedded platform serves its own app/);
    // A body file is named from the scenario's folder, wherever that is.
    writeFileSync(path.join(dir, 'body.json'), '{}');
    const elsewhere = path.join(dir, 'out', 'deploy.yaml');
    mkdirSync(path.dirname(elsewhere));
    const moved = await bench(
      'init',
      '--from-siege',
      write('http://a.test/x PUT <body.json\n'),
      '--out',
      elsewhere,
    );
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(parse(readFileSync(elsewhere, 'utf8')).load.endpoints[0].bodyFile).toBe('../body.json');
    expect((await bench('validate', elsewhere)).exitCode).toBe(0);
    const missing = await bench('init', '--from-siege', path.join(dir, 'none.txt'));
    expect(missing.stderr).toMatch(/--from-siege .*none\.txt: cannot read it: no such file/);
    // procfs gives its size as 0: read whole, this took gigabytes.
    const endless = await bench('init', '--from-siege', '/proc/self/pagemap');
    expect(endless.exitCode).toBe(2);
    expect(endless.stderr).toContain(
      'bench: --from-siege /proc/self/pagemap: cannot read it: larger than 1 MB\n',
    );
  });

  it('will not overwrite a file without --force', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-init-')), 'x.yaml');
    writeFileSync(file, 'mine');
    const init = await bench('init', '--out', file);
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toContain(`bench: ${file} exists; add --force to overwrite it`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('never writes through a link planted under --out, even a dangling one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-init-'));
    const victim = path.join(dir, 'victim');
    const file = path.join(dir, 's.yaml');
    symlinkSync(victim, file);
    expect((await bench('init', '--out', file)).exitCode).toBe(2);
    expect(existsSync(victim)).toBe(false);
    // --force replaces the link itself.
    expect((await bench('init', '--out', file, '--force')).exitCode).toBe(0);
    expect(existsSync(victim)).toBe(false);
    expect(lstatSync(file).isFile()).toBe(true);
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
