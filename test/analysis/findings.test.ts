import { describe, expect, it } from 'vitest';
import { findingsOf, variantFindings } from '../../src/analysis/findings/find.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { InstanceLifecycle, Recording } from '../../src/results/recording.ts';
import type { Sample } from '../../src/results/sample.ts';

/**
 * The rules of docs/diagnosis.md on recordings made by the real recorder from samples written out
 * here: each at its boundary, so that a rule changed by a millisecond or a request fails a test.
 */
const ok = (t: number, extra: Partial<Sample> = {}): Sample => ({
  user: 0,
  t,
  latencyMs: 10,
  status: 200,
  bytes: 2,
  ...extra,
});

function record(
  samples: Sample[],
  options: {
    thresholdMs?: number;
    endpoints?: string[];
    durationMs?: number;
    intervalMs?: number;
  } = {},
): Recording {
  const recorder = new Recorder({
    intervalMs: options.intervalMs ?? 100,
    slowThresholdMs: options.thresholdMs ?? 100,
    ...(options.endpoints ? { endpoints: options.endpoints } : {}),
  });
  recorder.event({ t: 1000, phase: 'triggered' });
  const sorted = [...samples].sort((a, b) => a.t + a.latencyMs - (b.t + b.latencyMs));
  let ended = false;
  for (const sample of sorted) {
    if (!ended && sample.t + sample.latencyMs > 3000) {
      recorder.event({ t: 3000, phase: 'completed' });
      ended = true;
    }
    recorder.record(sample);
  }
  if (!ended) recorder.event({ t: 3000, phase: 'completed' });
  return recorder.finish(options.durationMs ?? 5000);
}

/** A request every 50 ms from `from` to `to`, each built by `make`. */
function every50(from: number, to: number, make: (t: number) => Sample): Sample[] {
  const samples: Sample[] = [];
  for (let t = from; t < to; t += 50) samples.push(make(t));
  return samples;
}

const life = (
  id: string,
  routedAt: number | null,
  unroutedAt: number | null,
): InstanceLifecycle => ({
  id,
  release: id.split('@')[1] as string,
  startedAt: routedAt === null ? null : routedAt - 500,
  upAt: routedAt,
  routedAt,
  unroutedAt,
  stoppingAt: unroutedAt,
  stoppedAt: unroutedAt === null ? null : unroutedAt + 20,
  exit: unroutedAt === null ? null : 'exit 0',
});

const ids = (recording: Recording) => findingsOf(recording).map((f) => f.id);

describe('nothing-up', () => {
  it('from the platform: the stretch no process was routed to, when at least the slow threshold long', () => {
    const traffic = every50(0, 5000, (t) => ok(t));
    const withGap = (gapMs: number) => ({
      ...record(traffic),
      lifecycle: [life('web.1@v1', -2000, 1200), life('web.1@v2', 1200 + gapMs, null)],
    });
    const [finding] = findingsOf(withGap(100));
    expect(finding).toMatchObject({
      id: 'nothing-up',
      kind: 'fault',
      fromMs: 1200,
      toMs: 1300,
      title: 'nothing was up for 100 ms',
      evidence: { source: 'platform', lengthMs: 100 },
    });
    expect(finding?.seen).toMatch(
      /^No instance was routed to between 200 ms and 300 ms after the trigger \(web\.1@v1 was taken out of rotation; web\.1@v2 was routed to only then\)\./,
    );
    expect(ids(withGap(99))).toEqual([]);
  });

  it('from the platform: overlapping routings leave no gap, whatever their order of start', () => {
    const recording = {
      ...record(every50(0, 5000, (t) => ok(t))),
      lifecycle: [
        life('web.1@v2', 1100, null),
        life('web.1@v1', -2000, 1200),
        life('web.2@v1', -1000, 900),
      ],
    };
    expect(ids(recording)).toEqual([]);
  });

  it('from the platform: a process unrouted with none after it leaves nothing up to the end', () => {
    const recording = {
      ...record(every50(0, 1500, (t) => ok(t))),
      lifecycle: [life('web.1@v1', -2000, 1500)],
    };
    expect(findingsOf(recording)[0]).toMatchObject({ id: 'nothing-up', fromMs: 1500, toMs: 5000 });
  });

  it('from the traffic: intervals in which requests were sent and none answered, its ends from the disruption', () => {
    // Refused from 1.2 s to 1.8 s; the user's next success, sent at 1.8 s, ends at 1.81 s.
    const traffic = every50(0, 5000, (t) =>
      t >= 1200 && t < 1800 ? ok(t, { status: 0, error: 'refused', latencyMs: 1 }) : ok(t),
    );
    const [finding] = findingsOf(record(traffic));
    expect(finding).toMatchObject({
      id: 'nothing-up',
      title: 'nothing was up for about 610 ms',
      fromMs: 1200,
      toMs: 1810,
      evidence: { source: 'traffic', failures: 12, failedAs: 'refused ×12' },
    });
    expect(finding?.seen).toContain('12 of the 14 requests sent in it failed (refused ×12)');
  });

  it("from the instances the target names: the hole between one's last answer and the next one's first, shorter than an interval", () => {
    // a answers until 1.3 s; refused from then until b answers at 2.1 s. With 1 s intervals, every
    // interval has an answer: only the instances' own times show the hole.
    const traffic = every50(0, 5000, (t) =>
      t < 1300
        ? ok(t, { instance: 'a' })
        : t < 2100
          ? ok(t, { status: 0, error: 'refused', latencyMs: 1, connection: 'new' })
          : ok(t, { instance: 'b' }),
    );
    const [finding] = findingsOf(record(traffic, { intervalMs: 1000 }));
    expect(finding).toMatchObject({
      id: 'nothing-up',
      fromMs: 1260,
      toMs: 2110,
      evidence: { source: 'traffic', failures: 16 },
    });
    expect(finding?.seen).toMatch(
      /^No instance answered between 260 ms and 1\.11 s after the trigger \(a answered last at its start; b first answered at its end\)\./,
    );
    // A hole shorter than the slow threshold counts when failed requests were sent in it: a proxy
    // answered 502 for 80 ms while its old upstream was gone and it had not moved to the new one.
    const proxied = [
      ...every50(0, 1300, (t) => ok(t, { instance: 'a' })),
      ...Array.from({ length: 16 }, (_, k) => ok(1310 + 5 * k, { status: 502, latencyMs: 1 })),
      ...every50(1400, 5000, (t) => ok(t, { instance: 'b' })),
    ];
    expect(findingsOf(record(proxied, { intervalMs: 1000, thresholdMs: 200 }))[0]).toMatchObject({
      id: 'nothing-up',
      fromMs: 1260,
      toMs: 1410,
      evidence: { failedAs: '502 ×16' },
    });
    // Without the failures, a hole that short is no finding: nobody waited long.
    const quiet = proxied.filter((sample) => sample.status !== 502);
    expect(ids(record(quiet, { intervalMs: 1000, thresholdMs: 200 }))).toEqual([]);
    // Users kept waiting by requests sent inside the hole, until b answers them: a reload that
    // stopped the old workers before the new ones loaded the app. A user who only waits on one
    // request sent before it (nothing else sent meanwhile) is no such hole.
    const queued = [
      ...every50(0, 1300, (t) => ok(t, { instance: 'a' })),
      ok(1300, { instance: 'b', latencyMs: 800 }),
      ok(1320, { user: 1, instance: 'b', latencyMs: 780 }),
      ...every50(2150, 5000, (t) => ok(t, { instance: 'b' })),
    ];
    expect(findingsOf(record(queued, { intervalMs: 1000, thresholdMs: 200 }))[0]).toMatchObject({
      id: 'nothing-up',
      fromMs: 1260,
      toMs: 2100,
    });
    const waitedFromBefore = [
      ...every50(0, 1250, (t) => ok(t, { instance: 'a' })),
      ok(1205, { user: 1, instance: 'b', latencyMs: 895 }),
      ...every50(2150, 5000, (t) => ok(t, { instance: 'b' })),
    ];
    expect(ids(record(waitedFromBefore, { intervalMs: 1000, thresholdMs: 200 }))).toEqual([]);
    // Instances that overlap leave no hole: a hands over to b with no refusal between.
    const handedOver = every50(0, 5000, (t) => ok(t, { instance: t < 1300 ? 'a' : 'b' }));
    expect(ids(record(handedOver, { intervalMs: 1000 }))).toEqual([]);
  });

  it('from the traffic: not users waiting on slow requests, with nothing sent meanwhile', () => {
    // Every user waits 3 s on one slow answer: nothing fails, nothing is sent, all of it slow.
    const traffic = [
      ...every50(0, 1200, (t) => ok(t)),
      ok(1200, { latencyMs: 3000 }),
      ok(1201, { user: 1, latencyMs: 3000 }),
      ...every50(4250, 5000, (t) => ok(t)),
    ];
    expect(ids(record(traffic))).toEqual([]);
  });

  it('from the traffic: not when the target answered, even if only with errors of its own', () => {
    const notFound = every50(0, 5000, (t) =>
      t >= 1200 && t < 1800 ? ok(t, { status: 404, error: 'check' }) : ok(t),
    );
    expect(ids(record(notFound))).toEqual([]);
    // 502, 503 and 504 are a proxy's own answers when nothing behind it answers: not the target's.
    const proxied = every50(0, 5000, (t) =>
      t >= 1200 && t < 1800 ? ok(t, { status: 502 }) : ok(t),
    );
    expect(findingsOf(record(proxied))[0]?.evidence).toMatchObject({ failedAs: '502 ×12' });
  });

  it('from the traffic: not when some request kept succeeding beside the failures', () => {
    const traffic = every50(0, 5000, (t) =>
      t >= 1200 && t < 1800 ? ok(t, { status: 503 }) : ok(t),
    );
    const beside = every50(1225, 1800, (t) => ok(t, { user: 1 }));
    expect(ids(record([...traffic, ...beside]))).toEqual([]);
  });
});

describe('kept-alive-cut', () => {
  const reused = (t: number, extra: Partial<Sample> = {}) =>
    ok(t, { connection: 'reused', ...extra });
  const fresh = (t: number, extra: Partial<Sample> = {}) =>
    ok(t, { user: 1, connection: 'new', ...extra });
  const reset = { status: 0, error: 'reset' as const, lastAnsweredBy: 'web.1@v1' };

  it('resets on kept-alive connections while new connections were served', () => {
    const traffic = [
      ...every50(0, 5000, (t) => (t === 1200 || t === 1250 ? reused(t, reset) : reused(t))),
      ...every50(25, 5000, (t) => fresh(t)),
    ];
    const [finding] = findingsOf(record(traffic));
    expect(finding).toMatchObject({
      id: 'kept-alive-cut',
      kind: 'fault',
      title: '2 requests on kept-alive connections reset',
      fromMs: 1200,
      evidence: { reset: 2, retriedAnswered: 0, failedBy: 'web.1@v1 ×2', newFailures: 0 },
    });
  });

  it('not where new connections failed at the same moments, nor for resends alone', () => {
    const refusedToo = [
      ...every50(0, 5000, (t) => (t === 1200 ? reused(t, reset) : reused(t))),
      ...every50(1190, 1300, (t) => fresh(t, { status: 0, error: 'refused', latencyMs: 30 })),
    ];
    expect(ids(record(refusedToo))).not.toContain('kept-alive-cut');
    const resent = every50(0, 5000, (t) => reused(t, { retried: t === 1200 }));
    expect(ids(record(resent))).toEqual([]);
  });
});

describe('routed-to-stopped', () => {
  /** Users kept alive on an instance, and the probe's new connections every 50 ms. */
  const probe = (t: number, extra: Partial<Sample> = {}) =>
    ok(t, { user: -1, latencyMs: 2, connection: 'new', probe: true, instance: 'b', ...extra });
  const refused = { status: 0, error: 'refused' as const, instance: undefined };

  it('new connections refused while others were answered: half the probe to a stopped instance', () => {
    const samples = [
      ...every50(0, 5000, (t) => ok(t, { connection: 'reused', instance: 'b' })),
      ...every50(0, 5000, (t) => probe(t, t >= 1500 && t < 2500 && t % 100 === 0 ? refused : {})),
    ];
    const recording = record(samples);
    const [finding] = findingsOf(recording);
    expect(finding).toMatchObject({ id: 'routed-to-stopped', kind: 'fault', fromMs: 1500 });
    expect(finding?.evidence).toMatchObject({ refused: 10, reset: 0, stretches: 10, probes: 100 });
    expect(finding?.seen).toContain('(by b)');
  });

  it('not the edge of an outage, where nothing answered: that is nothing-up', () => {
    const down = (t: number) => t >= 1500 && t < 2500;
    const samples = [
      ...every50(0, 5000, (t) =>
        ok(
          t,
          down(t) ? { ...refused, connection: 'new' } : { connection: 'reused', instance: 'b' },
        ),
      ),
      ...every50(0, 5000, (t) => probe(t, down(t) ? refused : {})),
    ];
    expect(ids(record(samples))).toEqual(['nothing-up']);
  });

  it('not a short outage of everything either, however short', () => {
    const down = (t: number) => t >= 1500 && t < 1700;
    const samples = [
      ...every50(0, 5000, (t) =>
        ok(
          t,
          down(t) ? { ...refused, connection: 'new' } : { connection: 'reused', instance: 'b' },
        ),
      ),
      ...every50(0, 5000, (t) => probe(t, down(t) ? refused : {})),
    ];
    expect(ids(record(samples))).not.toContain('routed-to-stopped');
  });

  it('nor an outage of everything shorter than the probe’s spacing, once two requests failed in it', () => {
    const down = (t: number) => t >= 1500 && t < 1560;
    const samples = [
      ...every50(0, 5000, (t) => ok(t, { connection: 'reused', instance: 'b' })),
      ...[1500, 1530].map((t) => ok(t, { ...refused, connection: 'new', user: 1 })),
      ...every50(0, 5000, (t) => probe(t, down(t) ? refused : {})),
    ];
    expect(ids(record(samples))).not.toContain('routed-to-stopped');
  });

  it('not a single stretch, nor failures before the trigger', () => {
    const users = every50(0, 5000, (t) => ok(t, { connection: 'reused', instance: 'b' }));
    const once = [...users, ...every50(0, 5000, (t) => probe(t, t === 2000 ? refused : {}))];
    expect(ids(record(once))).toEqual([]);
    const early = [
      ...users,
      ...every50(0, 5000, (t) => probe(t, t < 900 && t % 100 === 0 ? refused : {})),
    ];
    expect(ids(record(early))).toEqual([]);
  });
});

describe('proxy-without-upstream', () => {
  const badGateway = { status: 502, instance: undefined, release: undefined };

  it('502s that name no instance while instances answered others', () => {
    const samples = every50(0, 5000, (t) =>
      ok(t, t >= 1500 && t < 2000 && t % 100 === 0 ? badGateway : { instance: 'green' }),
    );
    const [finding] = findingsOf(record(samples));
    expect(finding).toMatchObject({ id: 'proxy-without-upstream', fromMs: 1500 });
    expect(finding?.evidence).toMatchObject({
      requests: 5,
      statuses: '502 ×5',
      answering: 'green',
    });
  });

  it('not a router that held requests until an instance came up: those it answered late are no answers meanwhile', () => {
    const down = (t: number) => t >= 1500 && t < 2500;
    const samples = every50(0, 5000, (t) =>
      !down(t)
        ? ok(t, { instance: t < 1500 ? 'v1' : 'v2' })
        : t % 200 === 0
          ? ok(t, { ...badGateway, latencyMs: 400 })
          : ok(t, { instance: 'v2', latencyMs: 2500 - t }),
    );
    expect(ids(record(samples))).not.toContain('proxy-without-upstream');
  });

  it('not when the proxy answered so before the deploy as well (a rate limiter, say)', () => {
    const samples = every50(0, 5000, (t) =>
      ok(t, t % 700 === 0 ? badGateway : { instance: 'green' }),
    );
    expect(ids(record(samples))).toEqual([]);
  });

  it('not from an instance that names itself, nor from a target that names none, nor where nothing answered', () => {
    const named = every50(0, 5000, (t) =>
      ok(t, { instance: 'green', ...(t >= 1500 && t < 2000 ? { status: 502 } : {}) }),
    );
    expect(ids(record(named))).not.toContain('proxy-without-upstream');
    const anonymous = every50(0, 5000, (t) =>
      ok(t, t >= 1500 && t < 2000 && t % 100 === 0 ? { status: 502 } : {}),
    );
    expect(ids(record(anonymous))).toEqual([]);
    const down = every50(0, 5000, (t) =>
      ok(t, t >= 1500 && t < 2500 ? badGateway : { instance: 'green' }),
    );
    expect(ids(record(down))).toEqual(['nothing-up']);
  });
});

describe('not-ready-when-routed', () => {
  /** v1 answers until 2 s; v2 from 1.5 s, its first answers as `first` makes them. */
  const switchOver = (first: Partial<Sample>) => [
    ...every50(0, 2000, (t) => ok(t, { instance: 'v1' })),
    ...every50(1500, 5000, (t) => ok(t, { instance: 'v2', ...(t < 1700 ? first : {}) })),
  ];

  it('a new instance failing its first requests while the old answered fine', () => {
    const [finding] = findingsOf(record(switchOver({ status: 503 })));
    expect(finding).toMatchObject({ id: 'not-ready-when-routed', fromMs: 1500 });
    expect(finding?.evidence).toEqual({ instances: 'v2', troubled: 4, fine: 'v1' });
  });

  it('not a new instance that never serves: that one is broken, not cold', () => {
    const broken = [
      ...every50(0, 2000, (t) => ok(t, { instance: 'v1' })),
      ...every50(1500, 5000, (t) => ok(t, { instance: 'v2', status: 503 })),
    ];
    expect(ids(record(broken))).not.toContain('not-ready-when-routed');
  });

  it('not a pause of the machine that slowed old and new alike, nor a few slow among many', () => {
    // Rolling: v1 and v2 alternate from 1.5 s; at 2 s a pause slows whatever was in flight.
    const paused = (t: number) => t >= 2000 && t < 2100;
    const rolling = every50(0, 5000, (t) =>
      ok(t, {
        instance: t < 1500 || (t / 50) % 2 === 0 ? 'v1' : 'v2',
        ...(paused(t) ? { latencyMs: 600 } : {}),
      }),
    );
    expect(ids(record(rolling))).not.toContain('not-ready-when-routed');
    // v2 alone from 1.5 s, every 10 ms; two of its answers slow: 2 % of them.
    const few = [
      ...every50(0, 2000, (t) => ok(t, { instance: 'v1' })),
      ...Array.from({ length: 350 }, (_, i) =>
        ok(1500 + i * 10, { instance: 'v2', ...(i === 3 || i === 4 ? { latencyMs: 600 } : {}) }),
      ),
    ];
    expect(ids(record(few, { intervalMs: 1000 }))).not.toContain('not-ready-when-routed');
  });

  it('not a new instance answering late what a router held while nothing was up', () => {
    const recording = {
      // Intervals of 1 s: the old instance answered in the one before the new one's first answer.
      ...record(
        [
          ...every50(0, 1500, (t) => ok(t, { instance: 'web.1@v1' })),
          // Held from 1.5 s until web.1@v2 was routed at 2.2 s, then answered.
          ...every50(1500, 2200, (t) => ok(t, { instance: 'web.1@v2', latencyMs: 2210 - t })),
          ...every50(2200, 5000, (t) => ok(t, { instance: 'web.1@v2' })),
        ],
        { intervalMs: 1000 },
      ),
      lifecycle: [life('web.1@v1', -2000, 1500), life('web.1@v2', 2200, null)],
    };
    expect(ids(recording)).toEqual(['nothing-up']);
  });

  it('slow first answers count only when users would notice: over half a second', () => {
    expect(ids(record(switchOver({ latencyMs: 400 })))).toEqual([]);
    expect(ids(record(switchOver({ latencyMs: 600 }), { durationMs: 6000 }))).toContain(
      'not-ready-when-routed',
    );
  });

  it('not one trouble alone, nor when the old was in trouble too, nor an instance there before the trigger', () => {
    const once = [
      ...every50(0, 2000, (t) => ok(t, { instance: 'v1' })),
      ...every50(1500, 5000, (t) =>
        ok(t, { instance: 'v2', ...(t === 1500 ? { status: 503 } : {}) }),
      ),
    ];
    expect(ids(record(once))).toEqual([]);
    const bothTroubled = [
      ...every50(0, 2000, (t) => ok(t, { instance: 'v1', ...(t >= 1300 ? { status: 503 } : {}) })),
      ...every50(1500, 5000, (t) =>
        ok(t, { instance: 'v2', ...(t < 1700 ? { status: 503 } : {}) }),
      ),
    ];
    expect(ids(record(bothTroubled))).not.toContain('not-ready-when-routed');
    const early = [
      ...every50(0, 5000, (t) => ok(t, { instance: 'v1' })),
      ...every50(500, 5000, (t) => ok(t, { instance: 'v2', ...(t < 700 ? { status: 503 } : {}) })),
    ];
    expect(ids(record(early))).not.toContain('not-ready-when-routed');
  });
});

describe('broke-after-switch', () => {
  const asset = 1;
  const traffic = (afterFails: (t: number) => boolean, failedBefore: number[] = []) =>
    every50(0, 5000, (t) => {
      const fails = t >= 3000 ? afterFails(t) : failedBefore.includes(t);
      return ok(t, {
        endpoint: asset,
        ...(fails
          ? {
              status: 404,
              error: 'check' as const,
              check: { check: 'status 2xx', body: 'gone' },
            }
          : {}),
      });
    });
  const options = { endpoints: ['home', 'assets'] };

  it('an endpoint that never failed before, of which half or more failed after', () => {
    let n = 0;
    const half = record(
      traffic(() => n++ % 2 === 0),
      options,
    );
    const [finding] = findingsOf(half);
    expect(finding).toMatchObject({
      id: 'broke-after-switch',
      evidence: { endpoint: 'assets', before: 20, after: 40, failedAfter: 20, check: 'status 2xx' },
    });
    expect(finding?.seen).toContain('The first failed check: status 2xx (status 404, body "gone")');
  });

  it('despite one flaky request before; not below half after, nor under 3 after, nor when it failed before too', () => {
    // One of the 20 before (5 %) failed: still broken after.
    expect(
      ids(
        record(
          traffic(() => true, [500]),
          options,
        ),
      ),
    ).toEqual(['broke-after-switch']);
    let n = 0;
    expect(
      ids(
        record(
          traffic(() => n++ % 3 === 0),
          options,
        ),
      ),
    ).toEqual([]);
    // Two failed after, of two: too few to call it broken.
    expect(
      ids(
        record(
          traffic((t) => t >= 4900),
          options,
        ),
      ),
    ).toEqual([]);
    // Two of the 20 before (10 %) failed: it was not working before either.
    expect(
      ids(
        record(
          traffic(() => true, [500, 550]),
          options,
        ),
      ),
    ).toEqual([]);
  });
});

describe('mixed-releases', () => {
  const lanes = (overlapMs: number) =>
    record([
      ...every50(0, 2000, (t) => ok(t, { release: 'v1', latencyMs: 1 })),
      ...every50(2001 - overlapMs, 5000, (t) => ok(t, { user: 1, release: 'v2', latencyMs: 1 })),
    ]);

  it('two releases answering requests sent in the same intervals, two or more: information', () => {
    const [finding] = findingsOf(lanes(200));
    expect(finding).toMatchObject({ id: 'mixed-releases', kind: 'info', fromMs: 1800, toMs: 2000 });
    // v2 from 1801: the intervals from 1.8 s and from 1.9 s hold both.
    expect(finding?.evidence).toEqual({ releases: 'v1 and v2', mixedMs: 200, intervals: 2 });
  });

  it('not a clean switch, even one whose interval holds both', () => {
    expect(ids(lanes(0))).toEqual([]);
    // v2 from 1941: only the interval from 1.9 s holds both.
    expect(ids(lanes(60))).toEqual([]);
  });
});

describe('a variant’s findings', () => {
  it('counts each finding once per trial measured to its end, faults first', () => {
    const info = findingsOf(
      record([
        ...every50(0, 2000, (t) => ok(t, { release: 'v1', latencyMs: 1 })),
        ...every50(1500, 5000, (t) => ok(t, { user: 1, release: 'v2', latencyMs: 1 })),
      ]),
    );
    const fault = findingsOf({
      ...record(every50(0, 5000, (t) => ok(t))),
      lifecycle: [life('web.1@v1', -2000, 1200), life('web.1@v2', 2000, null)],
    });
    const trial = (status: 'completed' | 'interrupted', findings: typeof info) => ({
      result: { status },
      findings,
    });
    expect(
      variantFindings([
        trial('completed', info),
        trial('completed', fault),
        trial('completed', fault),
        trial('interrupted', fault),
      ]).map((f) => [f.id, f.trials]),
    ).toEqual([
      ['nothing-up', 2],
      ['mixed-releases', 1],
    ]);
  });
});
