import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { renderJunit } from '../../src/export/junit.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { Sample } from '../../src/results/sample.ts';
import { escapeHtml, escapeMarkdown, jsonForScript } from '../../src/text/escape.ts';
import { buildCharts } from '../../src/view/charts/report.ts';
import { layoutPhaseLabels } from '../../src/view/charts/style.ts';
import { decimate } from '../../src/view/decimate.ts';
import { buildView } from '../../src/view/view.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

describe('escaping', () => {
  it('leaves no markup in HTML text', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;',
    );
  });

  it('keeps JSON inside a script element from closing it', () => {
    const json = jsonForScript({ name: '</script><!-- & \u2028' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ name: '</script><!-- & \u2028' });
  });

  it('keeps a Markdown table cell one cell', () => {
    expect(escapeMarkdown('a | b <i>*c*</i>\nd')).toBe('a \\| b &lt;i&gt;\\*c\\*&lt;/i&gt; d');
  });
});

describe('decimate', () => {
  const series = Array.from({ length: 10 }, (_, i) => ({ x: i, y: i === 7 ? 100 : i }));

  it('keeps short series as they are', () => {
    expect(decimate(series, 10, 'max')).toEqual(series);
  });

  it('keeps every maximum when thinning for latency', () => {
    const thinned = decimate(series, 3, 'max');
    expect(thinned).toHaveLength(3);
    expect(thinned.map((p) => p.y)).toContain(100);
    expect(thinned).toEqual([
      { x: 2, y: 2 },
      { x: 5, y: 5 },
      { x: 7, y: 100 },
    ]);
  });

  it('keeps the first point of each run for series that must stay consistent', () => {
    expect(decimate(series, 5, 'first').map((p) => p.x)).toEqual([0, 2, 4, 6, 8]);
  });
});

describe('what the charts are drawn from', () => {
  it('shades the intervals in which every request failed, and those in which none started', () => {
    const recorder = new Recorder({ intervalMs: 100 });
    const request = (t: number, latencyMs: number, status = 200): Sample => ({
      user: 0,
      t,
      latencyMs,
      status,
      bytes: 1,
      ...(status === 0 ? { error: 'refused' as const } : { release: 'v1' }),
    });
    for (let t = 0; t < 1000; t += 10) recorder.record(request(t, 5));
    recorder.event({ t: 1000, phase: 'triggered' });
    for (let t = 1000; t < 1300; t += 20) recorder.record(request(t, 1, 0));
    recorder.record(request(1300, 490)); // held: nothing else starts until it ends
    recorder.event({ t: 1800, phase: 'completed' });
    for (let t = 1800; t < 2500; t += 10) recorder.record(request(t, 5));
    const report = syntheticReport();
    const [first] = report.variants;
    if (!first) throw new Error('no variant');
    first.trials = [
      {
        trial: 1,
        status: 'completed',
        startedAt: '',
        recording: recorder.finish(2500),
        deployLog: [],
      },
    ];
    const trial = buildView(analyse(report)).variants[0]?.trials[0];
    const round = (spans: [number, number][] | undefined) =>
      spans?.map(([a, b]) => [Number(a.toFixed(3)), Number(b.toFixed(3))]);
    expect(round(trial?.allFailed)).toEqual([[0, 0.3]]);
    expect(round(trial?.quiet)).toEqual([[0.4, 0.8]]);
    expect(trial?.span).toEqual({ from: -1, to: 2 });
  });

  it('lays the phase labels out apart: close phases share a label, touching ones take a row each', () => {
    const labels = layoutPhaseLabels(
      [
        { at: 0, phase: 'triggered' },
        { at: 0.01, phase: 'booting' },
        { at: 0.9, phase: 'failed' },
        { at: 4.17, phase: 'up' },
        { at: 4.17, phase: 'switched' },
        { at: 4.18, phase: 'stopping' },
        { at: 4.19, phase: 'completed' },
      ],
      { from: -3, to: 7 },
    );
    expect(labels.map((l) => [l.text, l.phase, l.row])).toEqual([
      // 0.9 s apart is within a label's width on a narrow plot: one label, in the failure's colour.
      ['booting · failed', 'failed', 0],
      // Four phases in 20 ms: one label, which would touch the first one: the next row.
      ['up … completed', 'up', 1],
    ]);
  });

  it('draws a 20 ms stop wide enough to see, and says what a lane shows where no platform is', () => {
    const report = syntheticReport();
    const lanesOf = () =>
      buildCharts(buildView(analyse(report))).find((c) => c.id === 'lanes-stop-start');
    // Without the platform's processes (a URL, a watch): what the load saw answer, and nothing of
    // boots and stops.
    expect(lanesOf()?.caption).toMatch(/^One row per instance that answered, named by its header/);
    const [trial] = report.variants[0]?.trials ?? [];
    if (!trial) throw new Error('the synthetic run has trials');
    const life = { release: 'v1', routedAt: 0, unroutedAt: 2000, exit: 'exit 0' };
    trial.recording.lifecycle = [
      { id: 'web.1@v1', ...life, startedAt: 0, upAt: 0, stoppingAt: 2000, stoppedAt: 2020 },
    ];
    const lanes = lanesOf();
    if (!lanes) throw new Error('no lanes chart');
    expect(lanes.caption).toMatch(/^One row per instance: amber while it boots/);
    const datasets = (
      lanes.config.data as unknown as { datasets: { label: string; data: { x: number[] }[] }[] }
    ).datasets;
    const [stop] = datasets.find((d) => d.label === 'stopping')?.data ?? [];
    const { from, to } = buildView(analyse(report)).variants[0]?.trials[0]?.span ?? {
      from: 0,
      to: 0,
    };
    const [start = 0, end = 0] = stop?.x ?? [];
    expect(start).toBeCloseTo(0, 6);
    expect(end - start).toBeCloseTo(0.006 * (to - from), 6);
  });

  it('lays a watch’s "detected" out with the phases’ labels, never under another', () => {
    const labels = layoutPhaseLabels(
      [
        { at: 0, phase: 'detected' },
        { at: 0, phase: 'triggered' },
        { at: 0.05, phase: 'completed' },
      ],
      { from: -1, to: 10 },
    );
    expect(labels.map((l) => l.text)).toEqual(['detected · completed']);
  });

  it('draws no empty lanes: without instances, a notice says which header names them', () => {
    const report = syntheticReport();
    const withLanes = buildCharts(buildView(analyse(report))).filter((c) => c.kind === 'lanes');
    expect(withLanes.map((c) => c.id)).toEqual(['lanes-stop-start', 'lanes-preboot']);
    for (const trial of report.variants[1]?.trials ?? []) trial.recording.instances = [];
    const view = buildView(analyse(report));
    expect(
      buildCharts(view)
        .filter((c) => c.kind === 'lanes')
        .map((c) => c.id),
    ).toEqual(['lanes-stop-start']);
    expect(view.notices.some((n) => n.startsWith('No instances to draw'))).toBe(true);
  });
});

describe('junit.xml of a run that did not complete', () => {
  const cases = (xml: string) => {
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    return [parsed.testsuites.testsuite].flat().flatMap((suite) => [suite.testcase ?? []].flat());
  };

  it('carries the failure no trial shows: one errored case for the run', () => {
    const results = syntheticReport();
    results.failure = 'the target did not come up: web.1@v1 exited with code 1';
    const run = cases(renderJunit(analyse(results))).find((c) => c.name === 'the run');
    expect(run?.error?.message).toBe(
      'The run failed: the target did not come up: web.1@v1 exited with code 1',
    );
  });

  it('skips the run, once, when it was interrupted between trials', () => {
    const results = syntheticReport();
    results.interrupted = true;
    const run = cases(renderJunit(analyse(results))).filter((c) => c.name === 'the run');
    expect(run).toEqual([
      {
        classname: 'deploy-bench.run',
        name: 'the run',
        skipped: { message: 'The run was interrupted.' },
      },
    ]);
  });

  it('adds nothing when a trial already says how the run ended, or when it completed', () => {
    const failed = syntheticReport();
    const trial = failed.variants[0]?.trials[0];
    if (!trial) throw new Error('no trial');
    Object.assign(trial, { status: 'failed', failure: 'exit 1' });
    expect(cases(renderJunit(analyse(failed))).some((c) => c.name === 'the run')).toBe(false);
    expect(cases(renderJunit(analyse(syntheticReport()))).some((c) => c.name === 'the run')).toBe(
      false,
    );
  });
});
