import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { HistoryError, HistoryFolder, KEPT_RUNS } from '../../src/history/folder.ts';
import { PastRuns } from '../../src/history/past-runs.ts';
import { type HistoryRecord, recordOf, sourceFromEnvironment } from '../../src/history/record.ts';
import { seeded, TEST_CONDITIONS, writeSyntheticHistory } from '../helpers/history.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'bench-history-'));

/** The part of a record's file name that says whose it is: 8 hex of the scenario's name. */
const ownerHash = (scenario: string) =>
  createHash('sha256').update(scenario).digest('hex').slice(0, 8);

/** A name the folder reads as one of the scenario's records, the n-th of a day in 2026. */
const recordName = (n: number, scenario = 'shop') =>
  `2026-02-${String(n).padStart(2, '0')}T00-00-00Z-${scenario}-${ownerHash(scenario)}-${String(n).padStart(6, '0')}.json`;

/** One synthetic run's record, as bench run --history writes it. */
function aRecord(scenario = 'shop'): HistoryRecord {
  const results = syntheticReport();
  return recordOf(analyse({ ...results, scenario: { ...results.scenario, name: scenario } }), {
    conditions: TEST_CONDITIONS,
    histograms: true,
    source: { commit: 'abcdef1', branch: 'main' },
  });
}

describe('a history folder', () => {
  it('keeps each run whole: every figure a gate names, per trial, and its histograms', async () => {
    const dir = tempDir();
    const folder = await HistoryFolder.open(path.join(dir, 'made/on/first/use'));
    const file = await folder.add(aRecord());
    expect(file).toMatch(
      new RegExp(`^2026-01-02T03-04-05Z-shop-${ownerHash('shop')}-[0-9a-f]{6}\\.json$`),
    );
    const { records, refused } = await folder.read();
    expect(refused).toEqual([]);
    const [stored] = records;
    const trial = stored?.record.variants[0]?.trials[0];
    // The synthetic stop-start trial held everybody for 4 s: its user wait and its p99 during.
    expect(trial?.figures['user-wait']).toBeGreaterThanOrEqual(4000);
    expect(trial?.figures['during.p99']).toBeGreaterThan(3000);
    expect(trial?.figures.errors).toBe(3);
    expect(Object.keys(trial?.histograms ?? {})).toEqual(['overall', 'before', 'during', 'after']);
    // Compact: a run of two variants of two trials, histograms included.
    expect(readFileSync(path.join(folder.dir, file)).length).toBeLessThan(40_000);
  });

  it('reads the CI commit, branch and job page from GitHub Actions and GitLab, and nothing odd', () => {
    expect(
      sourceFromEnvironment({
        GITHUB_ACTIONS: 'true',
        GITHUB_SHA: 'a'.repeat(40),
        GITHUB_REF_NAME: 'main',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'shop/web',
        GITHUB_RUN_ID: '42',
      }),
    ).toEqual({
      commit: 'a'.repeat(40),
      branch: 'main',
      url: 'https://github.com/shop/web/actions/runs/42',
    });
    expect(
      sourceFromEnvironment({
        GITLAB_CI: 'true',
        CI_COMMIT_SHA: 'b'.repeat(40),
        CI_COMMIT_REF_NAME: 'feature/x',
        CI_JOB_URL: 'javascript:alert(1)',
      }),
    ).toEqual({ commit: 'b'.repeat(40), branch: 'feature/x' });
    expect(sourceFromEnvironment({})).toBeUndefined();
  });

  it('refuses a corrupt or hostile record with its file and reason, and counts the rest', async () => {
    const dir = tempDir();
    const outside = path.join(dir, 'outside.json');
    writeFileSync(outside, JSON.stringify(aRecord()));
    const history = path.join(dir, 'history');
    const folder = await HistoryFolder.open(history);
    await folder.add(aRecord());
    const good = aRecord();
    const write = (name: string, content: unknown) =>
      writeFileSync(
        path.join(history, name),
        typeof content === 'string' ? content : JSON.stringify(content),
      );
    write(recordName(1), JSON.stringify(good).slice(0, 200));
    write(recordName(2), { ...good, format: 2 });
    write(recordName(3), { ...good, command: 'rm -rf /' });
    write(recordName(4), { ...good, source: { url: 'javascript:alert(1)' } });
    write(recordName(5), JSON.parse(JSON.stringify(good).replace('"user-wait"', '"__proto__"')));
    write(recordName(6), JSON.stringify(good).replace(/"errors":\d+/, '"errors":"many"'));
    const badHistogram = JSON.parse(JSON.stringify(good));
    badHistogram.variants[0].trials[0].histograms.overall = Buffer.alloc(64, 7).toString('base64');
    write(recordName(7), badHistogram);
    write(recordName(8), `{"format":1,"pad":"${'x'.repeat(1_100_000)}"}`);
    symlinkSync(outside, path.join(history, recordName(9)));
    mkdirSync(path.join(history, recordName(10)));
    write('notes.txt', 'not a record, not read');
    write('notes.json', '{}');
    write(recordName(11), { ...good, startedAt: '2099-01-01T00:00:00.000Z' });

    const { records, refused } = await folder.read();
    expect(
      records.map((r) => r.file),
      JSON.stringify(refused),
    ).toHaveLength(1);
    const reasons = Object.fromEntries(refused.map((r) => [r.file, r.reason]));
    expect(reasons['notes.json']).toMatch(/^not named as a deploy-bench record/);
    expect(reasons[recordName(11)]).toBe('dated in the future (2099-01-01T00:00:00.000Z)');
    expect(Object.keys(reasons).sort()).toEqual(
      ['notes.json', ...Array.from({ length: 11 }, (_, n) => recordName(n + 1))].sort(),
    );
    expect(reasons[recordName(1)]).toMatch(/^not JSON/);
    expect(reasons[recordName(2)]).toMatch(/^not a deploy-bench history record: format:/);
    expect(reasons[recordName(3)]).toMatch(/command/);
    expect(reasons[recordName(4)]).toMatch(/source\.url: expected an http\(s\) address/);
    expect(reasons[recordName(5)]).toMatch(/"__proto__" key/);
    expect(reasons[recordName(6)]).toMatch(/figures\.errors/);
    expect(reasons[recordName(7)]).toMatch(/histograms: expected histograms this tool writes/);
    expect(reasons[recordName(8)]).toBe('larger than 1 MB');
    expect(reasons[recordName(9)]).toBe('not a regular file');
    expect(reasons[recordName(10)]).toBe('not a regular file');
  });

  it('writes nothing outside it: a planted link is never written through, pruning removes its own', async () => {
    const dir = tempDir();
    const history = path.join(dir, 'history');
    const folder = await HistoryFolder.open(history);
    const victim = path.join(dir, 'victim.json');
    writeFileSync(victim, 'untouched');
    const before = statSync(victim).mtimeMs;
    // Links under every name a record of this scenario could get would need 16 M of them; one
    // under a record's pattern, older than all, is what pruning meets first.
    const planted = `2000-01-01T00-00-00Z-shop-${ownerHash('shop')}-000000.json`;
    symlinkSync(victim, path.join(history, planted));
    const random = seeded(3);
    await writeSyntheticHistory(history, {
      scenario: 'shop',
      runs: KEPT_RUNS + 3,
      outageMs: () => 1000 + 500 * random(),
    });
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(statSync(victim).mtimeMs).toBe(before);
    const files = readdirSync(history);
    // The newest KEPT_RUNS records stay; the link, not a file of ours, is neither followed nor removed.
    expect(files.filter((f) => f === planted)).toHaveLength(1);
    expect(files).toHaveLength(KEPT_RUNS + 1);
    const { records, refused, unread } = await folder.read();
    expect(records).toHaveLength(KEPT_RUNS);
    expect(records[0]?.record.startedAt).toBe('2026-01-04T12:00:00.000Z');
    // Only the newest KEPT_RUNS names are read: the link, the oldest, is not even opened.
    expect(refused).toEqual([]);
    expect(unread).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['history', 'victim.json']);
    expect(files.some((f) => f.startsWith('.'))).toBe(false);
  }, 60_000);

  it('keeps other scenarios apart: each is pruned and read on its own', async () => {
    const dir = tempDir();
    const folder = await HistoryFolder.open(dir);
    await folder.add(aRecord('shop'));
    await folder.add(aRecord('search'));
    const { records } = await folder.read();
    const past = new PastRuns(records, 'search', TEST_CONDITIONS, 1);
    expect(past.records).toHaveLength(1);
    expect(past.pastRuns('stop-start', 'errors')).toEqual([[3, 5]]);
    expect(past.pastRuns('stop-start', 'no-such-figure')).toEqual([]);
  });

  it('is exit 2 when it cannot be one', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(HistoryFolder.open(file)).rejects.toThrow(HistoryError);
    await expect(HistoryFolder.open(path.join(dir, 'missing'), 'read')).rejects.toThrow(
      'no such folder',
    );
  });
});
