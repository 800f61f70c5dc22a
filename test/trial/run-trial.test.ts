import { describe, expect, it } from 'vitest';
import { HookError } from '../../src/deploy/hooks.ts';
import { plainConnection } from '../../src/load/connection.ts';
import { NO_PROGRESS } from '../../src/measured-load/counters.ts';
import { LiveSeries } from '../../src/measured-load/live-series.ts';
import type { MeasuredLoad } from '../../src/measured-load/measured-load.ts';
import { Recorder } from '../../src/record/recorder.ts';
import type { DeployEvent } from '../../src/results/deploy-events.ts';
import { isFailure, type Sample } from '../../src/results/sample.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import type { ShardPlan } from '../../src/shard/plan.ts';
import { runTrial, type TrialParts } from '../../src/trial/run-trial.ts';
import { type Target, TargetError } from '../../src/trial/target.ts';
import { measuredTrial } from '../helpers/trials.ts';

/**
 * The trial's timeline through fakes at its seam: a target whose deploy the test scripts, a load
 * that records nothing, hooks and waits that only say they happened. No process, no socket: the
 * order, the timeouts, the aborts and the followers' rules, in milliseconds.
 */
function scenario(timeline = '{ settle: 1s, warmup: 2s, cooldown: 3s }') {
  return parseScenario(
    `name: seam
target: { url: "http://127.0.0.1:9/" }
load: { users: 1 }
timeline: ${timeline}
variants:
  - name: v
    command: ./deploy.sh
    hooks: { beforeTrial: ./before.sh, afterTrial: ./after.sh }
`,
    'seam.yaml',
    {},
  );
}

type Deploy = (
  emit: (phase: DeployEvent['phase'], detail?: string) => void,
  signal: AbortSignal,
) => Promise<void>;

/** Fakes of every part, writing what happened, in order, to `log`. */
function fakes(options: {
  deploy?: Deploy;
  /** Called for each wait, before it resolves: a test may abort there. */
  onSleep?: (ms: number) => void;
  failHook?: 'beforeTrial' | 'afterTrial';
  openFails?: boolean;
  /** Requests the load has finished by the end of the warm-up (they count in `progress()`). */
  warmUp?: Sample[];
  /** A success the threads report only at the second look (their counters lag). */
  lateSuccess?: boolean;
}) {
  const log: string[] = [];
  const deploySignals: AbortSignal[] = [];
  const target: Target = {
    connection: plainConnection('http://127.0.0.1:9'),
    driver: (variant) => {
      log.push(`driver for ${variant.name}`);
      return {
        deploy: (emit, signal) => {
          deploySignals.push(signal);
          return (options.deploy ?? (async (e) => e('booting', 'fake')))(emit, signal);
        },
      };
    },
    stop: async () => {
      log.push('target stopped');
    },
  };
  const load = (): MeasuredLoad => {
    const recorder = new Recorder({ intervalMs: 100 });
    const warmUp = options.warmUp ?? [];
    let looks = 0;
    return {
      start: () => {
        log.push('load started');
        for (const sample of warmUp) recorder.record(sample);
      },
      event: (event) => {
        log.push(`phase ${event.phase}`);
        recorder.event(event);
      },
      stop: async (mode) => {
        log.push(`load stopped (${mode})`);
      },
      finish: async (durationMs) => ({
        recording: recorder.finish(durationMs),
        eventLoopUtilization: 0,
      }),
      dispose: async () => {
        log.push('load disposed');
      },
      progress: () => {
        const late = options.lateSuccess && ++looks > 1 ? 1 : 0;
        return {
          ...NO_PROGRESS,
          requests: warmUp.length + late,
          errors: warmUp.filter(isFailure).length,
        };
      },
      series: () => new LiveSeries(),
    };
  };
  const parts: TrialParts = {
    openTarget: async () => {
      log.push('target opened');
      if (options.openFails) throw new TargetError('the target did not come up: no');
      return target;
    },
    settle: async (_connection, _load, ms) => {
      log.push(`settle ${ms}`);
    },
    prepareLoad: async () => {
      log.push('load prepared');
      return load();
    },
    runHook: async ({ which, hooks }) => {
      if (!hooks?.[which]) return;
      log.push(`hook ${which}`);
      if (options.failHook === which)
        throw new HookError(`v: hook ${which} (x) exited with code 1`);
    },
    sleep: async (ms) => {
      log.push(`sleep ${Math.round(ms)}`);
      options.onSleep?.(ms);
    },
  };
  return { log, parts, deploySignals };
}

function trialOf(timeline?: string, shard?: ShardPlan, signal = new AbortController().signal) {
  const loaded = { scenario: scenario(timeline), gates: [], file: 'seam.yaml', dir: '/', env: {} };
  const variant = loaded.scenario.variants[0];
  if (!variant) throw new Error('no variant');
  return { loaded, variant, trial: 1, signal, ...(shard ? { shard } : {}) };
}

const phases = (events: DeployEvent[]) => events.map((e) => e.phase);

/** A request of the warm-up: failed with `error`, or answered with `status` (failed at 5xx). */
const failed = (t: number, error: Sample['error'], status = 0): Sample => ({
  user: 1,
  t,
  latencyMs: 1,
  status,
  bytes: 0,
  ...(error ? { error } : {}),
});

describe('a trial’s timeline', () => {
  it('runs hook, settle, warm-up, deploy, cool-down, hook, in order, and stops what it started', async () => {
    const { log, parts } = fakes({});
    const result = measuredTrial(await runTrial(trialOf(), parts));
    expect(result.status).toBe('completed');
    expect(phases(result.recording.timeline)).toEqual(['triggered', 'booting', 'completed']);
    expect(result.recording.timeline[0]?.detail).toBe('./deploy.sh');
    expect(log).toEqual([
      'target opened',
      'hook beforeTrial',
      'settle 1000',
      'load prepared',
      'load started',
      'sleep 2000',
      'phase triggered',
      'driver for v',
      'phase booting',
      'phase completed',
      'sleep 3000',
      'load stopped (drain)',
      'hook afterTrial',
      'load disposed',
      'target stopped',
    ]);
  });

  it('fails a deploy that outlasts deployTimeout, tells the deploy to stop, and still cools down', async () => {
    const { log, parts, deploySignals } = fakes({ deploy: () => new Promise(() => {}) });
    const result = measuredTrial(
      await runTrial(
        trialOf('{ settle: 0s, warmup: 1s, deployTimeout: 30ms, cooldown: 1s }'),
        parts,
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.failure).toBe('the deploy did not complete within 30 ms');
    expect(phases(result.recording.timeline)).toEqual(['triggered', 'failed']);
    expect(deploySignals[0]?.aborted).toBe(true);
    expect(log.slice(log.indexOf('phase failed'))).toEqual([
      'phase failed',
      'sleep 1000',
      'load stopped (drain)',
      'hook afterTrial',
      'load disposed',
      'target stopped',
    ]);
  });

  it('fails a deploy whose driver rejects, with its reason', async () => {
    const { parts } = fakes({
      deploy: async (emit) => {
        emit('booting');
        throw new Error('web.1@v2 exited (code 1) before it came up');
      },
    });
    const result = measuredTrial(await runTrial(trialOf(), parts));
    expect(result.status).toBe('failed');
    expect(result.failure).toBe('web.1@v2 exited (code 1) before it came up');
    expect(phases(result.recording.timeline)).toEqual(['triggered', 'booting', 'failed']);
  });

  it('interrupted in the warm-up: no deploy, no cool-down, requests in flight cut', async () => {
    const interrupt = new AbortController();
    const { log, parts } = fakes({ onSleep: (ms) => ms === 2000 && interrupt.abort() });
    const result = measuredTrial(
      await runTrial(trialOf(undefined, undefined, interrupt.signal), parts),
    );
    expect(result.status).toBe('interrupted');
    expect(result.recording.timeline).toEqual([]);
    expect(log).not.toContain('driver for v');
    expect(log.slice(log.indexOf('sleep 2000'))).toEqual([
      'sleep 2000',
      'load stopped (abort)',
      // Asked for; the real runHook runs nothing once the signal aborted (this fake logs it).
      'hook afterTrial',
      'load disposed',
      'target stopped',
    ]);
  });

  it('interrupted during the deploy: the deploy is told to stop, and the trial is not failed', async () => {
    const interrupt = new AbortController();
    const { parts, deploySignals } = fakes({
      // Ctrl-C the moment the deploy starts, before the trial could listen for it.
      deploy: (_emit, signal) =>
        new Promise((_, reject) => {
          interrupt.abort();
          if (signal.aborted) reject(new Error('stopped'));
          signal.addEventListener('abort', () => reject(new Error('stopped')));
        }),
    });
    const result = measuredTrial(
      await runTrial(trialOf(undefined, undefined, interrupt.signal), parts),
    );
    expect(result.status).toBe('interrupted');
    expect(result.failure).toBeUndefined();
    expect(phases(result.recording.timeline)).toEqual(['triggered']);
    expect(deploySignals[0]?.aborted).toBe(true);
  });

  it('interrupted as the deploy starts: a deploy that does not listen is left to the target’s stop', async () => {
    const interrupt = new AbortController();
    const { log, parts } = fakes({
      deploy: () =>
        new Promise(() => {
          interrupt.abort();
        }),
    });
    // With the default 10-minute deploy timeout, only the interruption can end this trial.
    const result = measuredTrial(
      await runTrial(trialOf(undefined, undefined, interrupt.signal), parts),
    );
    expect(result.status).toBe('interrupted');
    expect(log.slice(-2)).toEqual(['load disposed', 'target stopped']);
  }, 5000);

  it('as a follower shard: marks the scheduled trigger, runs no hook and no deploy, measures the whole span', async () => {
    const { log, parts } = fakes({});
    // Its start a minute away: the fake waits return at once, however busy the machine.
    const shard = { index: 2, count: 2, deploys: false, startAt: Date.now() + 60_000 };
    const result = measuredTrial(await runTrial(trialOf(undefined, shard), parts));
    expect(result.status).toBe('completed');
    expect(result.recording.timeline).toMatchObject([
      { phase: 'triggered', detail: 'scheduled (shard 2/2 follows)' },
    ]);
    expect(log.filter((l) => l.startsWith('hook') || l.startsWith('driver'))).toEqual([]);
    // Waits for the shared start, the warm-up, then to the end of the span every shard measures:
    // warm-up 2 s + the deploy timeout (10 min) + cool-down 3 s.
    const waits = log.filter((l) => l.startsWith('sleep')).map((l) => Number(l.split(' ')[1]));
    expect(waits[1]).toBe(2000);
    expect(waits[2]).toBeGreaterThan(605_000 - 1000);
  });

  it('a shard ready after the shared start does not send its load', async () => {
    const { log, parts } = fakes({});
    const shard = { index: 1, count: 2, deploys: true, startAt: Date.now() - 60_000 };
    expect(await runTrial(trialOf(undefined, shard), parts)).toEqual({
      kind: 'stopped',
      reason: expect.stringMatching(/^shard 1\/2 was ready \d+\.\d s after the start time/),
    });
    expect(log).not.toContain('load started');
    expect(log.slice(-2)).toEqual(['load disposed', 'target stopped']);
  });

  it('keeps a measured trial when its afterTrial hook fails, and stops everything', async () => {
    const { log, parts } = fakes({ failHook: 'afterTrial' });
    const outcome = await runTrial(trialOf(), parts);
    expect(outcome).toMatchObject({
      kind: 'stopped',
      reason: 'v: hook afterTrial (x) exited with code 1',
      measured: { status: 'completed' },
    });
    expect(log.slice(-2)).toEqual(['load disposed', 'target stopped']);
  });

  it('a beforeTrial hook that fails: no load is sent, the target is stopped', async () => {
    const { log, parts } = fakes({ failHook: 'beforeTrial' });
    expect(await runTrial(trialOf(), parts)).toEqual({
      kind: 'stopped',
      reason: 'v: hook beforeTrial (x) exited with code 1',
    });
    expect(log).toEqual(['target opened', 'hook beforeTrial', 'target stopped']);
  });

  it('a target that does not come up: nothing else runs', async () => {
    const { log, parts } = fakes({ openFails: true });
    expect(await runTrial(trialOf(), parts)).toEqual({
      kind: 'stopped',
      reason: 'the target did not come up: no',
    });
    expect(log).toEqual(['target opened']);
  });

  it('deploys nothing when no request of the warm-up succeeded, and says what it saw', async () => {
    const { log, parts } = fakes({
      warmUp: [failed(0, 'refused'), failed(10, 'refused'), failed(20, undefined, 502)],
    });
    const outcome = await runTrial(trialOf(), parts);
    expect(outcome).toEqual({
      kind: 'stopped',
      reason:
        'v, trial 1: no request succeeded in the 2.00 s warm-up (3 sent: 2 refused (nothing listening?), 1 answered 502): the target must answer, as expected, before its deploy is measured; nothing was deployed',
    });
    expect(log.filter((l) => l.startsWith('driver') || l.startsWith('phase'))).toEqual([]);
    expect(log.slice(-4)).toEqual([
      'load stopped (drain)',
      'hook afterTrial',
      'load disposed',
      'target stopped',
    ]);
  });

  it('deploys as usual when one request of the warm-up succeeded', async () => {
    const { parts } = fakes({
      warmUp: [failed(0, 'refused'), failed(5, undefined, 200)],
    });
    expect(measuredTrial(await runTrial(trialOf(), parts)).status).toBe('completed');
  });

  it('looks twice before calling a warm-up unanswered: threads report their counters late', async () => {
    const { log, parts } = fakes({ warmUp: [failed(0, 'refused')], lateSuccess: true });
    expect(measuredTrial(await runTrial(trialOf(), parts)).status).toBe('completed');
    expect(log).toContain('sleep 600');
  });

  it('tells an after-trial hook that failed after an unanswered warm-up, after its first cause', async () => {
    const { parts } = fakes({ warmUp: [failed(0, 'refused')], failHook: 'afterTrial' });
    const outcome = await runTrial(trialOf(), parts);
    expect(outcome.kind === 'stopped' && outcome.reason).toMatch(
      /^v, trial 1: no request succeeded .*; nothing was deployed; then v: hook afterTrial \(x\) exited with code 1$/,
    );
  });
});
