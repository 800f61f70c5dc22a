import { XMLBuilder } from 'fast-xml-parser';
import type { AnalysedRun } from '../analysis/analyse.ts';
import type { Finding } from '../analysis/findings/finding.ts';
import { formatValue } from '../gates/evaluate.ts';
import type { GateResult } from '../results/run.ts';
import { forXml, mapStrings } from '../text/escape.ts';
import { gateMiss } from '../view/table.ts';
import type { Exporter } from './exporter.ts';

const finiteOr0 = (value: number) => (Number.isFinite(value) ? value : 0);

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  suppressEmptyNode: true,
});

/**
 * junit.xml: one test case per gate (a failure carries actual against threshold), and one per trial's
 * deploy, so that CI systems show a run's verdict natively.
 */
export const junitExporter: Exporter<'junit'> = {
  name: 'junit',
  files: /^junit\.xml$/,
  render(run) {
    return [{ name: 'junit.xml', content: renderJunit(run) }];
  },
};

export function renderJunit(run: AnalysedRun): string {
  const { results } = run;
  const gateCases = run.gates.map((gate) => ({
    '@classname': `deploy-bench.gates.${gate.variant}`,
    '@name': gate.expression,
    ...(!gate.evaluated
      ? { skipped: { '@message': gateMessage(gate) } }
      : gate.passed
        ? {}
        : {
            failure: {
              '@type': 'gate',
              '@message': gateMessage(gate),
              '#text': `${gate.source}\n${gateMessage(gate)}`,
            },
          }),
  }));
  const trialCases = run.variants.flatMap((variant) =>
    variant.trials.map(({ result: trial, metrics, omittedOutput, findings }) => ({
      '@classname': `deploy-bench.deploys.${variant.name}`,
      '@name': `${variant.name} trial ${trial.trial} deploy`,
      // The deploy's own time, from its trigger to its end (0 when it never started).
      '@time': (finiteOr0(metrics.deployDurationMs) / 1000).toFixed(3),
      ...(trial.status === 'failed'
        ? { error: { '@type': 'deploy', '@message': trial.failure ?? 'failed' } }
        : {}),
      ...(trial.status === 'interrupted' ? { skipped: { '@message': 'interrupted' } } : {}),
      // Findings explain a trial, they do not fail it: gates do (`preboot.findings == 0`).
      ...systemOut([...findings.map(findingNote), ...omittedOutput]),
    })),
  );
  const deployCases = [...trialCases, ...runCase(run)];
  const suite = (name: string, cases: Record<string, unknown>[]) => ({
    '@name': name,
    '@tests': cases.length,
    '@failures': cases.filter((c) => 'failure' in c).length,
    '@errors': cases.filter((c) => 'error' in c).length,
    '@skipped': cases.filter((c) => 'skipped' in c).length,
    '@timestamp': results.startedAt,
    testcase: cases,
  });
  const suites = [
    suite(`gates: ${results.scenario.name}`, gateCases),
    suite(`deploys: ${results.scenario.name}`, deployCases),
  ];
  const document = {
    testsuites: {
      '@name': `deploy-bench: ${results.scenario.name}`,
      '@tests': gateCases.length + deployCases.length,
      '@failures': suites.reduce((n, s) => n + s['@failures'], 0),
      '@errors': suites.reduce((n, s) => n + s['@errors'], 0),
      testsuite: suites,
    },
  };
  return junitXml(document);
}

/** A JUnit document as XML; names and deploy output are foreign, so XML 1.0's forbidden characters go. */
export function junitXml(document: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(mapStrings(document, forXml))}`;
}

function gateMessage(gate: GateResult): string {
  if (gate.problem) return gate.problem;
  const miss = gateMiss(gate);
  return `actual ${formatValue(gate.actual, gate.unit)} (${gate.basis}), threshold ${gate.comparator} ${formatValue(gate.threshold, gate.unit)}${miss ? `: ${miss}` : ''}`;
}

/**
 * A run that failed or was interrupted where no trial's case says so (the target never came up, a
 * hook failed, a report could not be written, Ctrl-C between trials): one case that does, so that CI
 * does not show an empty, green suite for it.
 */
function runCase({ outcome, variants }: AnalysedRun): Record<string, unknown>[] {
  const trials = variants.flatMap((v) => v.trials);
  const run = { '@classname': 'deploy-bench.run', '@name': 'the run' };
  if (outcome.kind === 'failed' && !trials.some((t) => t.result.status === 'failed'))
    return [{ ...run, error: { '@type': 'run', '@message': `The run failed: ${outcome.reason}` } }];
  if (outcome.kind === 'interrupted' && !trials.some((t) => t.result.status === 'interrupted'))
    return [{ ...run, skipped: { '@message': 'The run was interrupted.' } }];
  return [];
}

function findingNote(finding: Finding): string {
  const kind = finding.kind === 'fault' ? 'FAULT' : 'info';
  return `${kind} ${finding.id}: ${finding.title}\n  seen: ${finding.seen}\n  likely cause: ${finding.cause}\n  change: ${finding.change}\n  more: ${finding.docs}`;
}

/** Notes for a CI reader of a test case, when there are any. */
function systemOut(notes: string[]): { 'system-out'?: string } {
  return notes.length > 0 ? { 'system-out': notes.join('\n') } : {};
}
