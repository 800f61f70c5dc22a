import Table from 'cli-table3';
import type { OutputFile } from '../export/exporter.ts';
import { junitXml } from '../export/junit.ts';
import { jsonText, escapeMarkdown as m } from '../text/escape.ts';
import { formatMs } from '../text/format.ts';
import type { MetricDelta, RunComparison } from './compare-runs.ts';

const value = (v: number, unit: 'ms' | 'count') =>
  unit === 'ms' ? formatMs(v) : Number.isFinite(v) ? String(v) : '—';
const change = (d: MetricDelta) => {
  if (!d.comparable) return '—';
  if (d.change === null) return d.head.median > 0 ? 'new' : '±0';
  return `${d.change >= 0 ? '+' : ''}${(100 * d.change).toFixed(1)} %`;
};
const verdict = (d: MetricDelta) => {
  if (!d.comparable) return 'not comparable';
  return d.regression ? 'REGRESSION' : d.improvement ? 'better' : 'same';
};

function summaryLine(comparison: RunComparison): string {
  const margin = `${(100 * comparison.maxRegression).toFixed(0)} %`;
  if (comparison.passed) return `No regression beyond ${margin} and the noise of the trials.`;
  const sentences: string[] = [];
  if (comparison.regressions > 0) {
    const list = comparison.deltas
      .filter((d) => d.regression)
      .map((d) => `${d.variant} ${d.label} ${change(d)}`);
    sentences.push(
      `${comparison.regressions} regression${comparison.regressions === 1 ? '' : 's'} beyond ${margin} and the noise: ${list.join('; ')}.`,
    );
  }
  if (comparison.notComparable > 0) {
    const variants = [
      ...new Set(comparison.deltas.filter((d) => !d.comparable).map((d) => d.variant)),
    ];
    sentences.push(
      `${comparison.notComparable} figure${comparison.notComparable === 1 ? '' : 's'} not comparable, which fails the comparison: nothing measured on one side for ${variants.join(', ')}.`,
    );
  }
  return sentences.join(' ');
}

export function renderCompareTerminal(comparison: RunComparison): string {
  const table = new Table({
    head: ['variant', 'metric', 'base', 'head', 'change', '', 'evidence'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const d of comparison.deltas) {
    table.push([
      d.variant,
      d.label,
      value(d.base.median, d.unit),
      value(d.head.median, d.unit),
      change(d),
      verdict(d),
      d.evidence,
    ]);
  }
  const unmatched =
    comparison.unmatched.length > 0
      ? `\nNot compared (in one run only): ${comparison.unmatched.join(', ')}`
      : '';
  const incomplete = incompleteRuns(comparison)
    .map((line) => `\n${line}`)
    .join('');
  return `BASE ${comparison.base.file} (${comparison.base.startedAt})\nHEAD ${comparison.head.file} (${comparison.head.startedAt})\n\n${table.toString()}${unmatched}${incomplete}\n\n${summaryLine(comparison)}\n`;
}

/** A side that did not run to its end is said to: its figures cover part of a run. */
function incompleteRuns(comparison: RunComparison): string[] {
  return (['base', 'head'] as const).flatMap((side) => {
    const { outcome, file } = comparison[side];
    if (outcome === 'completed') return [];
    const what =
      outcome === 'interrupted'
        ? 'was interrupted: its figures cover only what it measured'
        : 'failed: a deploy or the run itself did not complete, which its figures may not show';
    return [`Note: ${side.toUpperCase()} (${file}) ${what}.`];
  });
}

export function renderCompareFiles(comparison: RunComparison): OutputFile[] {
  return [
    {
      name: 'compare.json',
      content: `${jsonText({ schemaVersion: 1, ...comparison }, 2)}\n`,
    },
    { name: 'compare.md', content: markdown(comparison) },
    { name: 'junit.xml', content: junit(comparison) },
  ];
}

function markdown(comparison: RunComparison): string {
  return [
    `## deploy-bench: ${m(comparison.head.scenario)} against its baseline`,
    '',
    `**${comparison.passed ? '✅' : '❌'} ${m(summaryLine(comparison))}**`,
    '',
    '| variant | metric | base | head | change | | evidence |',
    '|---|---|---:|---:|---:|---|---|',
    ...comparison.deltas.map(
      (d) =>
        `| ${m(d.variant)} | ${m(d.label)} | ${m(value(d.base.median, d.unit))} | ${m(value(d.head.median, d.unit))} | ${m(change(d))} | ${d.regression ? '**REGRESSION**' : verdict(d)} | ${m(d.evidence)} |`,
    ),
    '',
    ...incompleteRuns(comparison).flatMap((line) => [`> ${m(line)}`, '']),
    `<sub>base: ${m(comparison.base.file)} (${m(comparison.base.startedAt)}) · head: ${m(comparison.head.file)} (${m(comparison.head.startedAt)})</sub>`,
    '',
  ].join('\n');
}

function junit(comparison: RunComparison): string {
  const cases = comparison.deltas.map((d) => ({
    '@classname': `deploy-bench.compare.${d.variant}`,
    '@name': `${d.variant} ${d.label}`,
    ...(!d.comparable
      ? { failure: { '@type': 'not-comparable', '@message': `not comparable; ${d.evidence}` } }
      : d.regression
        ? {
            failure: {
              '@type': 'regression',
              '@message': `${value(d.base.median, d.unit)} → ${value(d.head.median, d.unit)} (${change(d)}); ${d.evidence}`,
            },
          }
        : {}),
  }));
  const failures = cases.filter((c) => 'failure' in c).length;
  return junitXml({
    testsuites: {
      '@name': `deploy-bench compare: ${comparison.head.scenario}`,
      '@tests': cases.length,
      '@failures': failures,
      testsuite: {
        '@name': 'regressions',
        '@tests': cases.length,
        '@failures': failures,
        '@errors': 0,
        testcase: cases,
      },
    },
  });
}
