import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { renderResultsJson } from '../../src/export/results-json.ts';
import { ResultsFileError, readResults } from '../../src/results/read-results.ts';
import { BENCH } from '../helpers/scenarios.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

// biome-ignore lint/suspicious/noExplicitAny: a test reaches into a parsed file to break it
type Json = Record<string, any>;

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-hostile-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valid = renderResultsJson(analyse(syntheticReport()));
const document = (): Json => JSON.parse(valid);
const firstTrial = (d: Json) => d.variants[0].trials[0];
/** A saved histogram inflated, changed, and compressed again the way the tool writes it. */
function recompressed(base64: string, change: (inflated: Buffer) => Buffer): string {
  const real = Buffer.from(base64, 'base64');
  const deflated = deflateSync(change(inflateSync(real.subarray(8, 8 + real.readInt32BE(4)))));
  const header = Buffer.alloc(8);
  real.copy(header, 0, 0, 4);
  header.writeInt32BE(deflated.length, 4);
  return Buffer.concat([header, deflated]).toString('base64');
}

/** A case's file: the valid document, changed. */
const edited = (change: (d: Json) => void) => () => {
  const d = document();
  change(d);
  return JSON.stringify(d);
};

/** Each case: what the file holds, and a fragment of the one line that must be said of it. */
const CASES: [name: string, content: () => string, expected: string][] = [
  ['truncated', () => valid.slice(0, valid.length / 2), 'cannot read the results: not JSON'],
  ['empty', () => '', 'not JSON'],
  ['a list', () => '[]', 'the top level: expected a mapping, got a list'],
  ['null', () => 'null', 'the top level: expected a mapping, got nothing (null)'],
  [
    'a newer version',
    () => JSON.stringify({ ...document(), schemaVersion: 99 }),
    'written by a newer deploy-bench (results schema version 99); this one reads version 1',
  ],
  [
    'a version as text',
    () => JSON.stringify({ ...document(), schemaVersion: '1' }),
    'schemaVersion: expected 1',
  ],
  [
    'variants not a list',
    () => JSON.stringify({ ...document(), variants: {} }),
    'variants: expected a list, got a mapping',
  ],
  [
    'a variant name that is a path',
    edited((d) => {
      d.variants[0].name = '../../escaped';
    }),
    'variants[0].name: expected a name of letters, digits',
  ],
  [
    'intervals not a list',
    edited((d) => {
      firstTrial(d).recording.intervals = 'x';
    }),
    'variants[0].trials[0].recording.intervals: expected a list, got "x"',
  ],
  [
    'no recording',
    edited((d) => {
      delete firstTrial(d).recording;
    }),
    'variants[0].trials[0].recording: missing',
  ],
  [
    'a histogram that is not base64',
    edited((d) => {
      firstTrial(d).recording.overall.latency = '<script>';
    }),
    'recording.overall.latency: expected a compressed HdrHistogram',
  ],
  [
    'a histogram that does not decode',
    edited((d) => {
      firstTrial(d).recording.intervals[0].latency = 'AAAA';
    }),
    'variants[0].trials[0].recording.intervals[0].latency: expected a compressed HdrHistogram as this tool writes it',
  ],
  [
    'a histogram that inflates to megabytes (a decompression bomb)',
    edited((d) => {
      const { recording } = firstTrial(d);
      recording.overall.latency = recompressed(recording.overall.latency, (inflated) =>
        Buffer.concat([inflated, Buffer.alloc(4 * 1024 * 1024)]),
      );
    }),
    'recording.overall.latency: expected a compressed HdrHistogram as this tool writes it',
  ],
  [
    'a histogram whose header claims 2 GB of counts (a decoding loop of minutes)',
    edited((d) => {
      const { recording } = firstTrial(d);
      recording.overall.latency = recompressed(recording.overall.latency, (inflated) => {
        inflated.writeInt32BE(0x7fffffff, 4);
        return inflated;
      });
    }),
    'recording.overall.latency: expected a compressed HdrHistogram as this tool writes it',
  ],
  [
    'a shard beyond the shard count',
    () =>
      JSON.stringify({
        ...document(),
        shard: {
          count: 2,
          startAt: '2026-01-02T03:04:05.000Z',
          shards: [{ index: 5, deploys: true, clockOffsetMs: 0 }],
        },
      }),
    'shard.shards: expected every shard index within the shard count',
  ],
  [
    'a clock offset of 1e308 ms',
    () =>
      JSON.stringify({
        ...document(),
        shard: {
          count: 2,
          startAt: '2026-01-02T03:04:05.000Z',
          shards: [{ index: 1, deploys: true, clockOffsetMs: 1e308 }],
        },
      }),
    'shard.shards[0].clockOffsetMs: expected a number <= 86400000',
  ],
  [
    'one variant name twice',
    edited((d) => {
      d.variants[1].name = d.variants[0].name;
    }),
    'variants: expected each variant name once',
  ],
  [
    'no variant',
    () => JSON.stringify({ ...document(), variants: [] }),
    'variants: expected at least 1 item',
  ],
  [
    'a negative count',
    edited((d) => {
      firstTrial(d).recording.overall.statuses['200'] = -5;
    }),
    'recording.overall.statuses.200: expected a number >= 0',
  ],
  [
    'a zero interval',
    edited((d) => {
      firstTrial(d).recording.intervalMs = 0;
    }),
    'recording.intervalMs: expected a number > 0',
  ],
  [
    'a gate figure as text',
    edited((d) => {
      d.gates = [
        {
          expression: 'a.longest < 1s',
          source: 'a.longest < 1s',
          variant: 'a',
          evaluated: true,
          actual: 'fast',
          threshold: 1000,
          unit: 'ms',
          comparator: '<',
          basis: 'worst',
          passed: true,
        },
      ];
    }),
    'gates[0].actual: expected a number, got "fast"',
  ],
  [
    'a deploy output line that is a number',
    edited((d) => {
      firstTrial(d).deployLog = [{ t: 1, stream: 'stdout', line: 42 }];
    }),
    'variants[0].trials[0].deployLog[0].line: expected text, got 42',
  ],
  [
    'an unknown deploy phase',
    edited((d) => {
      firstTrial(d).recording.timeline[0].phase = '__proto__';
    }),
    'recording.timeline[0].phase: expected one of "triggered", "booting"',
  ],
  [
    'a scenario without a name',
    edited((d) => {
      delete d.scenario.name;
    }),
    'scenario.name: missing (expected text)',
  ],
  [
    'a negative duration',
    edited((d) => {
      firstTrial(d).recording.durationMs = -5;
    }),
    'recording.durationMs: expected a number >= 0',
  ],
];

describe('a saved results.json is foreign input', () => {
  it('has at least 15 hostile files', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  for (const [name, content, expected] of CASES) {
    it(`refuses ${name} with one line that says why`, async () => {
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, content());
      const error = await readResults(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'refused as bad input').toBeInstanceOf(ResultsFileError);
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message.startsWith(`${file}: `)).toBe(true);
      expect(message).toContain(expected);
      expect(message).not.toMatch(/Cannot read properties|is not a function|Invalid input/);
    });
  }

  it('refuses a folder and a FIFO without waiting on them', async () => {
    const fifo = path.join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    for (const file of [dir, fifo]) {
      await expect(readResults(file)).rejects.toThrow(
        `${file}: not a deploy-bench results.json: not a regular file`,
      );
    }
  });

  it('reads no more than its limit of a file whose size procfs gives as 0', async () => {
    await expect(readResults('/proc/self/pagemap')).rejects.toThrow(
      '/proc/self/pagemap: cannot read the results: larger than 128 MB',
    );
  });

  it('reads a file written before optional fields existed, with their defaults', async () => {
    const d = document();
    delete d.shard;
    delete d.variants[0].hookLog;
    const trial = firstTrial(d);
    delete trial.generator;
    delete trial.recording.instances;
    delete trial.recording.overall.dropped;
    delete trial.recording.overall.retried;
    d.gates = [
      {
        expression: 'preboot.longest < 1s',
        source: 'preboot.longest < 1s',
        variant: 'preboot',
        actual: null,
        threshold: 1000,
        unit: 'ms',
        comparator: '<',
        basis: 'worst',
        passed: false,
      },
    ];
    const file = path.join(dir, 'old.json');
    writeFileSync(file, JSON.stringify(d));
    const { results: report, gates } = await readResults(file);
    const read = report.variants[0]?.trials[0];
    expect(report.shard).toBeUndefined();
    expect(report.variants[0]?.hookLog).toEqual([]);
    expect(read?.generator).toBeUndefined();
    expect(read?.recording.instances).toEqual([]);
    expect(read?.recording.overall.dropped).toBe(0);
    expect(read?.recording.overall.retried).toBe(0);
    expect(gates[0]?.evaluated).toBe(true);
    expect(gates[0]?.actual).toBeNaN();
  });

  it('counts releases named like Object.prototype’s properties as any other', async () => {
    const d = document();
    const recording = firstTrial(d).recording;
    recording.overall.releases = JSON.parse('{"__proto__": 3, "constructor": 2, "toString": 1}');
    const file = path.join(dir, 'prototype-releases.json');
    writeFileSync(file, JSON.stringify(d));
    const { results: report } = await readResults(file);
    const releases = report.variants[0]?.trials[0]?.recording.overall.releases ?? {};
    expect(Object.entries(releases)).toEqual([
      ['__proto__', 3],
      ['constructor', 2],
      ['toString', 1],
    ]);
  });
});

describe('bench report and compare on hostile files', () => {
  it('exit 2 with one line, and write nothing outside --out', async () => {
    const d = document();
    d.variants[0].name = '../escaped';
    const work = path.join(dir, 'cli');
    mkdirSync(work);
    const file = path.join(work, 'results.json');
    writeFileSync(file, JSON.stringify(d));
    const out = path.join(work, 'out');
    const report = await execa('node', [BENCH, 'report', file, '--out', out], { reject: false });
    expect(report.exitCode).toBe(2);
    expect(report.stderr.trim().split('\n')).toEqual([
      `${file}: not a deploy-bench results.json: variants[0].name: expected a name of letters, digits, ".", "_" or "-"`,
    ]);
    expect(readdirSync(work)).toEqual(['results.json']);
    expect(existsSync(path.join(dir, 'escaped.hgrm'))).toBe(false);

    const newer = path.join(work, 'newer.json');
    writeFileSync(newer, JSON.stringify({ ...document(), schemaVersion: 2 }));
    const compare = await execa('node', [BENCH, 'compare', newer, newer, '--out', out], {
      reject: false,
    });
    expect(compare.exitCode).toBe(2);
    expect(compare.stderr).toContain('written by a newer deploy-bench (results schema version 2)');
    expect(existsSync(out)).toBe(false);
  });
});
