import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import type { StoredRecord } from '../../src/history/folder.ts';
import { PastRuns } from '../../src/history/past-runs.ts';
import { type HistoryRecord, recordOf } from '../../src/history/record.ts';
import { buildTrend } from '../../src/history/trend.ts';
import { renderTrendMarkdown } from '../../src/history/trend-page.ts';
import { TEST_CONDITIONS } from '../helpers/history.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

/** A past run of "shop" whose stop-start held users `outageMs`, judged by `gates`. */
function stored(n: number, outageMs: number, gates: HistoryRecord['gates'] = []): StoredRecord {
  const results = syntheticReport({ stopStart: [[outageMs, 0]], preboot: [[100, 0]] });
  const startedAt = new Date(Date.UTC(2026, 0, n)).toISOString();
  const record = recordOf(
    analyse({ ...results, startedAt, scenario: { ...results.scenario, name: 'shop' } }),
    { conditions: TEST_CONDITIONS, histograms: false },
  );
  return { file: `run-${n}.json`, record: { ...record, gates } };
}

const failedUserWait = (threshold: number): HistoryRecord['gates'] => [
  {
    source: 'stop-start.user-wait <= p95(history)',
    expression: 'stop-start.user-wait <= p95(history)',
    variant: 'stop-start',
    evaluated: true,
    passed: false,
    actual: 3000,
    threshold,
    unit: 'ms',
    comparator: '<=',
    budget: { runs: 10, needed: 10 },
  },
];

describe('past runs', () => {
  it('leave a run that failed a gate on a figure out of that figure’s budget, and only that one', () => {
    const records = [stored(1, 1000), stored(2, 3000, failedUserWait(1100)), stored(3, 1200)];
    const past = new PastRuns(records, 'shop', TEST_CONDITIONS, 1);
    const waits = past
      .pastRuns('stop-start', 'user-wait')
      .map(([v]) => Math.round((v as number) / 100));
    // The 3 s regression is not the next run's budget: a re-run would have passed on it.
    expect(waits).toEqual([10, 12]);
    expect(past.pastRuns('stop-start', 'errors')).toHaveLength(3);
  });

  it('count only the runs measured under the same load and trials, and say what they left out', () => {
    const other = stored(4, 900);
    other.record = { ...other.record, conditions: { ...TEST_CONDITIONS, trials: 5 } };
    const failed = stored(2, 3000, failedUserWait(1100));
    const past = new PastRuns([stored(1, 1000), failed, other], 'shop', TEST_CONDITIONS, 1);
    expect(past.records).toHaveLength(2);
    expect(past.otherConditions).toBe(1);
    expect(past.leftOut('stop-start', 'user-wait')).toBe(
      '1 that failed a gate on it, 1 under another load or number of trials',
    );
    expect(past.leftOut('stop-start', 'errors')).toBe('1 under another load or number of trials');
    // bench history draws them apart, as the budgets keep them apart.
    const trend = buildTrend('h', [stored(1, 1000), other], [], 'out');
    expect(trend.scenarios.map((s) => s.label)).toEqual([
      '2 users (closed model), keep-alive, 1 endpoint, 1 trial',
      '2 users (closed model), keep-alive, 1 endpoint, 5 trials',
    ]);
  });
});

describe('the trend', () => {
  it('links a report only when its results.json is that run’s, with a target Markdown cannot break', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-trend-'));
    const history = path.join(dir, 'history');
    const first = stored(1, 1000);
    const second = stored(2, 1100);
    // Both runs wrote to the same folder, as CI does: it holds the second's report now.
    const reports = path.join(dir, 'run (latest) | x');
    mkdirSync(reports);
    writeFileSync(path.join(reports, 'index.html'), '<!doctype html>');
    writeFileSync(
      path.join(reports, 'results.json'),
      `{\n  "schemaVersion": 1,\n  "startedAt": ${JSON.stringify(second.record.startedAt)}\n}\n`,
    );
    for (const run of [first, second]) run.record.report = '../run (latest) | x/index.html';
    const trend = buildTrend(history, [first, second], [], path.join(dir, 'trend'));
    const [runOne, runTwo] = trend.scenarios[0]?.runs ?? [];
    expect(runOne?.report).toBeUndefined();
    expect(runTwo?.report).toBe('../run%20(latest)%20%7C%20x/index.html');
    const markdown = renderTrendMarkdown(trend);
    expect(markdown).toContain('| [2](../run%20%28latest%29%20%7C%20x/index.html) |');
    expect(markdown).not.toContain('[1](');
    // On a job summary a path means nothing: no link there.
    expect(renderTrendMarkdown(trend, { links: 'web' })).not.toContain('[2](');
  });

  it('draws every run, and the budget each run was held to as a bar (none where it had none)', () => {
    const records = [
      stored(1, 1000),
      stored(2, 1050),
      stored(3, 3000, failedUserWait(1100)),
      stored(4, 1000, [
        { ...(failedUserWait(1150)[0] as HistoryRecord['gates'][number]), passed: true },
      ]),
    ];
    const markdown = renderTrendMarkdown(buildTrend('h', records, [], 'out'));
    const chart = markdown.slice(markdown.indexOf('```mermaid'));
    expect(chart).toContain(
      'title "stop-start user-wait, runs #1–#4; bars: the budget each run was held to"',
    );
    expect(chart).toContain('x-axis ["#1", "#2", "#3", "#4"]');
    expect(chart).toContain('bar [0, 0, 1100, 1150]');
    expect(chart).toMatch(/line \[10\d\d(\.\d)?, 10\d\d(\.\d)?, 30\d\d(\.\d)?, 10\d\d(\.\d)?\]/);
    // The run over its budget is bold and marked in the table.
    expect(markdown).toMatch(/\| 3 \| 2026-01-03 00:00 \|.*\*\*3\.0\d s\*\* ❌/);
  });
});
