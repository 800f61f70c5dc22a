import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/record/recorder.ts';
import { splitPhases } from '../../src/record/split-phases.ts';
import type { InstanceTraffic } from '../../src/results/parts/instances.ts';
import type { Recording } from '../../src/results/recording.ts';
import { detectWindow } from '../../src/watch/detect-window.ts';

const lane = (id: string, firstMs: number, lastMs: number): InstanceTraffic => ({
  id,
  release: id,
  firstMs,
  lastMs,
  requests: 10,
  perInterval: [],
});

const traffic = (
  spans: [number, number][],
  instances: InstanceTraffic[],
): Pick<Recording, 'disruption' | 'instances' | 'intervalMs' | 'durationMs'> => ({
  intervalMs: 1000,
  durationMs: 9000,
  disruption: { ms: 0, thresholdMs: 50, thresholdSource: 'baseline', spans },
  instances,
});

describe('the deploy window found from the traffic', () => {
  it('is nothing when nothing failed, slowed or changed', () => {
    expect(detectWindow(traffic([], [lane('v1', 1, 9000)]))).toBeUndefined();
    expect(detectWindow(traffic([], []))).toBeUndefined();
  });

  it('runs from the first disruption to the end of the last', () => {
    expect(
      detectWindow(
        traffic(
          [
            [1200, 1300],
            [4000, 4500],
          ],
          [lane('v1', 1, 9000)],
        ),
      ),
    ).toEqual({
      startMs: 1200,
      endMs: 4500,
      startSign: 'the first disruption',
      endSign: 'the end of the last disruption',
    });
  });

  it('says when the first disruption began before the recording (a request the baseline handed over)', () => {
    const spans: [number, number][] = [[0, 1500]];
    const handedOver = detectWindow(traffic(spans, [lane('v1', 1, 9000)]), true);
    expect(handedOver).toMatchObject({
      startMs: 0,
      endMs: 1500,
      startSign: 'a disruption that began before the recording',
    });
    expect(detectWindow(traffic(spans, [lane('v1', 1, 9000)]))?.startSign).toBe(
      'the first disruption',
    );
  });

  it('spans a clean switch from the old release’s last answer to the new one’s first', () => {
    const window = detectWindow(traffic([], [lane('v1', 1, 3000), lane('v2', 3400, 9000)]));
    expect(window).toMatchObject({ startMs: 3000, endMs: 3400 });
    expect(window?.startSign).toBe('release v1 last answered');
    expect(window?.endSign).toBe('release v2 first answered');
  });

  it('spans a rolling switch from the new release’s first answer to the old one’s last', () => {
    const window = detectWindow(traffic([], [lane('v1', 1, 6000), lane('v2', 3000, 9000)]));
    expect(window).toMatchObject({ startMs: 3000, endMs: 6000 });
  });

  it('sees no deploy in two releases answering from the start to the end (a canary)', () => {
    expect(detectWindow(traffic([], [lane('v1', 3, 8990), lane('v2', 5, 9000)]))).toBeUndefined();
  });

  it('ends with the watch a deploy still under way: disrupted to the end, or still rolling', () => {
    expect(detectWindow(traffic([[3000, 8500]], [lane('v1', 1, 9000)]))).toMatchObject({
      startMs: 3000,
      endMs: 9000,
      endSign: 'the end of the watch, still disrupted',
    });
    expect(detectWindow(traffic([], [lane('v1', 1, 9000), lane('v2', 6000, 9000)]))).toMatchObject({
      startMs: 6000,
      endMs: 9000,
      endSign: 'the end of the watch, releases v1 and v2 still answering',
    });
  });

  it('counts a disruption that reaches into the last interval as still under way', () => {
    // 1 s intervals, a 9 s watch: the last interval starts at 8000.
    expect(detectWindow(traffic([[3000, 8000]], [lane('v1', 1, 9000)]))).toMatchObject({
      endMs: 9000,
      endSign: 'the end of the watch, still disrupted',
    });
    expect(detectWindow(traffic([[3000, 7999]], [lane('v1', 1, 9000)]))).toMatchObject({
      endMs: 7999,
      endSign: 'the end of the last disruption',
    });
  });

  it('reads release changes from the release spans when instances keep their names', () => {
    // web.1 answered as v1, then as v2: its lane keeps v1, the release spans see the switch.
    const recording = {
      ...traffic([], [{ ...lane('web.1', 1, 9000), release: 'v1' }]),
      releaseSpans: [
        { release: 'v1', firstMs: 1, lastMs: 4000 },
        { release: 'v2', firstMs: 4100, lastMs: 9000 },
      ],
    };
    expect(detectWindow(recording)).toMatchObject({ startMs: 4000, endMs: 4100 });
  });

  it('are recorded while watching, whatever instance answered', () => {
    const recorder = new Recorder({ intervalMs: 1000, splitLater: true });
    for (let t = 0; t < 9000; t += 100)
      recorder.record({
        user: 0,
        t,
        latencyMs: 1,
        status: 200,
        instance: 'web.1',
        release: t < 4000 ? 'v1' : 'v2',
        bytes: 1,
      });
    const recording = recorder.finish(9000);
    expect(recording.instances.map((i) => [i.id, i.release])).toEqual([['web.1', 'v1']]);
    expect(detectWindow(recording)).toMatchObject({ startMs: 3901, endMs: 4001 });
    expect(splitPhases(recording, undefined).releaseSpans).toBeUndefined();
  });

  it('takes whichever came first and last of disruption and release change', () => {
    const window = detectWindow(
      traffic([[2500, 4800]], [lane('v1', 1, 2500), lane('v2', 4700, 9000)]),
    );
    expect(window).toMatchObject({ startMs: 2500, endMs: 4800 });
    expect(window?.endSign).toBe('the end of the last disruption');
  });
});

describe('phases split once the window is known', () => {
  it('puts each interval before, during or after the window, for the trial and each endpoint', () => {
    const recorder = new Recorder({ intervalMs: 100, splitLater: true, endpoints: ['a', 'b'] });
    for (let t = 0; t < 1000; t += 10)
      recorder.record({ user: 0, t, latencyMs: 1, status: 200, endpoint: (t / 10) % 2, bytes: 1 });
    const recorded = recorder.finish(1000);
    expect(recorded.phases.before.requests).toBe(100);
    const split = splitPhases(recorded, { startMs: 250, endMs: 520 });
    // [200, 300) holds the start, [500, 600) the end: both during.
    expect(split.phases.before.requests).toBe(20);
    expect(split.phases.during.requests).toBe(40);
    expect(split.phases.after.requests).toBe(40);
    expect(split.endpoints?.map((e) => e.phases.during.requests)).toEqual([20, 20]);
    expect(split.unsplit).toBeUndefined();
    expect(split.endpoints?.some((e) => e.unsplit)).toBe(false);
    // No window: all stays before.
    expect(splitPhases(recorded, undefined).phases.before.requests).toBe(100);
    // A window of no length on an interval's edge still has that interval during it.
    expect(splitPhases(recorded, { startMs: 300, endMs: 300 }).phases.during.requests).toBe(10);
  });
});
