import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalysedRun } from '../../src/analysis/analyse.ts';
import { analyse } from '../../src/analysis/analyse.ts';
import type { ExportContext } from '../../src/export/exporter.ts';
import { htmlExporter } from '../../src/export/html.ts';
import { renderJunit } from '../../src/export/junit.ts';
import { markdownExporter } from '../../src/export/markdown.ts';
import { renderResultsJson } from '../../src/export/results-json.ts';
import { renderTerminal } from '../../src/export/terminal.ts';
import { exportContext } from '../../src/export/write-reports.ts';
import type { GateResult } from '../../src/results/run.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

/** Any character a terminal, an XML parser or a reader would act on; tab and newline are text. */
const RAW_CONTROL =
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

/**
 * Strings a target, a deploy or a scenario might carry: any Unicode (lone surrogates included),
 * weighted towards the characters each format gives a meaning to.
 */
const foreign = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '\x1b',
      '[',
      ']',
      '\x07',
      '\r',
      '\n',
      '\0',
      '\x9b',
      '\u202e',
      '\u200f',
      '\ufeff',
      '\u2028',
      '\ud800',
      '<',
      '>',
      '&',
      '"',
      "'",
      '`',
      '|',
      '*',
      '_',
      '#',
      '@',
      '\\',
      '~',
      'www.',
      'https://',
      '</script>',
      '<!--',
      ']]>',
      '$' + '{x}',
      'a',
      ' ',
    ),
    maxLength: 30,
  }),
);

/** The synthetic run, analysed, with `text` wherever a foreign string can reach a report. */
function reportWith(text: string): AnalysedRun {
  const report = syntheticReport();
  report.scenario.name = text;
  report.scenario.description = text;
  report.failure = text;
  const gates: GateResult[] = [
    {
      expression: text,
      source: text,
      variant: 'preboot',
      evaluated: true,
      passed: false,
      actual: 120,
      threshold: 100,
      unit: 'ms',
      comparator: '<',
      basis: text,
      problem: text,
    },
  ];
  const [variant] = report.variants;
  if (!variant) throw new Error('the synthetic run has variants');
  variant.description = text;
  variant.hookLog = [{ t: 1, stream: 'stderr', line: text, source: text }];
  const [trial] = variant.trials;
  if (!trial) throw new Error('the synthetic run has trials');
  trial.status = 'failed';
  trial.failure = text;
  trial.deployLog = [{ t: 2, stream: 'stdout', line: text }];
  trial.recording.timeline[0] = { t: 2000, phase: 'triggered', detail: text };
  const [instance] = trial.recording.instances;
  if (instance) instance.id = text;
  return analyse(report, () => gates);
}

const tags = (html: string) => html.match(/<[a-zA-Z!/]/g)?.length ?? 0;
/** Table cells: pipes that Markdown reads as column breaks (not escaped ones). */
const columns = (md: string) => md.split('\n').map((line) => line.match(/(?<!\\)\|/g)?.length ?? 0);

/** Markdown without its code blocks and code spans, where GitHub neither links nor mentions. */
const outsideCode = (md: string) =>
  md.replace(/^(> )?```[\s\S]*?^(> )?```$/gm, '').replace(/(?<!\\)`[^`]*`/g, '');

describe('every exporter, fed random foreign strings', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-property-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const benign = reportWith('x');

  it('writes JSON that parses and keeps every string exactly', () => {
    fc.assert(
      fc.property(foreign, (text) => {
        const json = renderResultsJson(reportWith(text));
        expect(json).not.toMatch(RAW_CONTROL);
        const parsed = JSON.parse(json);
        // JSON escapes what it must (lone surrogates too): every string comes back exactly.
        expect(parsed.scenario.name).toBe(text);
        expect(parsed.variants[0].trials[0].deployLog[0].line).toBe(text);
        expect(parsed.variants[0].trials[0].failure).toBe(text);
      }),
      { numRuns: 30 },
    );
  });

  it('writes junit.xml that expat parses, every time', () => {
    const files: string[] = [];
    fc.assert(
      fc.property(foreign, (text) => {
        const xml = renderJunit(reportWith(text));
        expect(xml).not.toMatch(RAW_CONTROL);
        const file = path.join(dir, `junit-${files.length}.xml`);
        writeFileSync(file, xml);
        files.push(file);
      }),
      { numRuns: 60 },
    );
    // One Python for every file: expat, a strict and independent XML 1.0 parser.
    const parsed = execFileSync(
      'python3',
      [
        '-c',
        'import sys, xml.dom.minidom as m\nfor f in sys.argv[1:]: m.parse(f)\nprint(len(sys.argv) - 1)',
        ...files,
      ],
      { encoding: 'utf8' },
    );
    expect(Number(parsed.trim())).toBe(files.length);
  });

  /** An exporter's two arguments for a run: the run analysed, and the writer's context for it. */
  const withContext = (run: AnalysedRun): [AnalysedRun, ExportContext] => [
    run,
    exportContext(() => run),
  ];

  it('writes HTML in which a string never becomes markup', async () => {
    const [page] = await htmlExporter.render(...withContext(benign));
    const expected = tags(String(page?.content));
    // An empty string leaves out what it would fill (a description): only text is compared.
    await fc.assert(
      fc.asyncProperty(
        foreign.filter((text) => text !== ''),
        async (text) => {
          const [html] = await htmlExporter.render(...withContext(reportWith(text)));
          const content = String(html?.content);
          expect(content).not.toMatch(RAW_CONTROL);
          expect(tags(content)).toBe(expected);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('writes Markdown whose lines and table columns a string cannot change', async () => {
    const [summary] = await markdownExporter.render(...withContext(benign));
    const lines = String(summary?.content).split('\n').length;
    const expected = columns(String(summary?.content));
    await fc.assert(
      fc.asyncProperty(foreign, async (text) => {
        const [md] = await markdownExporter.render(...withContext(reportWith(text)));
        const content = String(md?.content);
        expect(content).not.toMatch(RAW_CONTROL);
        // A failure may span lines (a process's last stderr, in a code block); nothing else adds one.
        if (!text.includes('\n')) {
          expect(content.split('\n')).toHaveLength(lines);
          expect(columns(content)).toEqual(expected);
        }
        // Nobody is notified and nothing is linked from a string (code is shown as it is).
        const prose = outsideCode(content);
        expect(prose).not.toMatch(/@[A-Za-z0-9]/);
        expect(prose).not.toMatch(/[a-z]:\/\//);
      }),
      { numRuns: 50 },
    );
  });

  it('writes a terminal summary that shows a string and never acts on it', () => {
    const lines = renderTerminal(benign).split('\n').length;
    fc.assert(
      fc.property(foreign, (text) => {
        const terminal = renderTerminal(reportWith(text));
        expect(terminal).not.toMatch(RAW_CONTROL);
        // A failure may span lines (a process's last stderr); nothing else adds one.
        if (!text.includes('\n')) expect(terminal.split('\n')).toHaveLength(lines);
      }),
      { numRuns: 50 },
    );
  });
});
